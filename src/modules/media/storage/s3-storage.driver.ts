import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3StorageConfig } from '@app/common';
import { assertObjectKey } from '../file-names';
import { ObjectInfo, PresignedUpload, PutOptions, StorageDriver } from './storage-driver';

/** Objects never change once written (new content gets a new key), so caches may keep them. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

function clientFor(config: S3StorageConfig, endpoint: string | undefined): S3Client {
  return new S3Client({
    endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    // Only when an operation requires it: S3-compatible stores (and s3rver) otherwise receive the
    // aws-chunked body with a checksum trailer, and some store that wrapper as the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
}

const isNotFound = (err: unknown) =>
  err instanceof S3ServiceException ? err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey' : false;

/** AWS S3 or any S3-compatible store (MinIO, s3rver in the tests). */
export class S3StorageDriver extends StorageDriver {
  readonly name = 's3' as const;
  private readonly client: S3Client;
  private readonly presignClient: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    super();
    this.client = clientFor(config, config.endpoint);
    this.presignClient = config.presignEndpoint ? clientFor(config, config.presignEndpoint) : this.client;
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: assertObjectKey(key),
        Body: body,
        ContentType: options.contentType,
        ContentLength: Buffer.isBuffer(body) ? body.length : options.contentLength,
        CacheControl: IMMUTABLE_CACHE_CONTROL,
      }),
    );
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: assertObjectKey(key) }));
      return { size: Number(res.ContentLength ?? 0), contentType: res.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: assertObjectKey(key), Range: `bytes=${start}-${end}` }));
    const bytes = Buffer.from(await res.Body!.transformToByteArray());
    // A store that ignores Range sends the whole object: keep what was asked for.
    return bytes.subarray(0, end - start + 1);
  }

  async openRead(key: string): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: assertObjectKey(key) }));
    return res.Body as Readable;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: assertObjectKey(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  publicUrl(key: string): string {
    return `${this.config.publicBaseUrl}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async presignPut(key: string, contentType: string, size: number, expiresInSeconds: number): Promise<PresignedUpload> {
    const command = new PutObjectCommand({ Bucket: this.config.bucket, Key: assertObjectKey(key), ContentType: contentType, ContentLength: size });
    // Type and length are signed: S3 refuses a PUT whose headers differ from them. (The complete
    // step checks them again, for stores that do not verify signatures.)
    const url = await getSignedUrl(this.presignClient, command, { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) });
    return {
      url,
      method: 'PUT',
      headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
      expiresAt: new Date(Date.now() + expiresInSeconds * 1000),
    };
  }

  override async close(): Promise<void> {
    this.client.destroy();
    if (this.presignClient !== this.client) this.presignClient.destroy();
  }
}
