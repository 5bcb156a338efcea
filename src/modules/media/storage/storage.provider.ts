import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { LocalStorageDriver } from './local-storage.driver';
import { StorageDriver } from './storage-driver';
import { UploadUrlSigner } from './upload-url-signer';

/**
 * The driver STORAGE_DRIVER names; nothing else in the service knows which one it is. The S3
 * driver is imported only when chosen: the AWS SDK it pulls in (~1 MB of code) would otherwise
 * cost every process 50–100 ms and several MB at startup (issue 9: API cold start, idle memory).
 */
export async function createStorageDriver(config: AppConfig): Promise<StorageDriver> {
  const media = config.media;
  if (media.driver === 's3') {
    const { S3StorageDriver } = await import('./s3-storage.driver');
    return new S3StorageDriver(media.s3!);
  }
  return new LocalStorageDriver(media.local.dir, media.local.publicBaseUrl, config.publicBaseUrl, new UploadUrlSigner(config.jwt.secret));
}

export const storageDriverProvider: Provider = {
  provide: StorageDriver,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => createStorageDriver(config),
};
