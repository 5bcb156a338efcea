import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { LocalStorageDriver } from './local-storage.driver';
import { S3StorageDriver } from './s3-storage.driver';
import { StorageDriver } from './storage-driver';
import { UploadUrlSigner } from './upload-url-signer';

/** The driver STORAGE_DRIVER names; nothing else in the service knows which one it is. */
export function createStorageDriver(config: AppConfig): StorageDriver {
  const media = config.media;
  if (media.driver === 's3') return new S3StorageDriver(media.s3!);
  return new LocalStorageDriver(media.local.dir, media.local.publicBaseUrl, config.publicBaseUrl, new UploadUrlSigner(config.jwt.secret));
}

export const storageDriverProvider: Provider = {
  provide: StorageDriver,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => createStorageDriver(config),
};
