import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeOfKey } from '../content-type';
import { assertObjectKey } from '../file-names';
import { UploadUrlSigner, UploadUrlVerdict } from './upload-url-signer';
import { ObjectInfo, PresignedUpload, PutOptions, StorageDriver } from './storage-driver';

/** Where half-written files wait before they are renamed into place (never served: a dot directory). */
export const INCOMING_DIR = '.incoming';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * A directory on the API host, served by the API under /media (see local-media-routes.ts). Writes
 * land in a temporary file first and are renamed into place, so a reader never sees half a file.
 * Several hosts need a shared directory, or the s3 driver.
 */
export class LocalStorageDriver extends StorageDriver {
  readonly name = 'local' as const;

  constructor(
    readonly dir: string,
    private readonly publicBaseUrl: string,
    private readonly apiBaseUrl: string,
    private readonly signer: UploadUrlSigner,
  ) {
    super();
  }

  /** Checks a presigned upload URL's query for this key (see UploadUrlSigner). */
  verifyUpload(key: string, query: Record<string, unknown>): UploadUrlVerdict {
    return this.signer.verify(key, query);
  }

  pathOf(key: string): string {
    return join(this.dir, assertObjectKey(key));
  }

  /** A fresh path in the incoming directory (same filesystem as the objects, so rename is atomic). */
  async incomingPath(): Promise<string> {
    const dir = join(this.dir, INCOMING_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  }

  async put(key: string, body: Readable | Buffer, _options: PutOptions): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.incomingPath();
    try {
      if (Buffer.isBuffer(body)) await writeFile(temp, body);
      else await pipeline(body, createWriteStream(temp));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(key));
      return { size: info.size, contentType: contentTypeOfKey(key) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const handle = await open(this.pathOf(key), 'r');
    try {
      const buffer = Buffer.alloc(end - start + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async openRead(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path); // a missing file fails here, not later inside a pipeline
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    // The media's directory goes with its last object.
    await rmdir(dirname(path)).catch(() => undefined);
  }

  publicUrl(key: string): string {
    return `${this.publicBaseUrl}/${assertObjectKey(key)}`;
  }

  async presignPut(key: string, contentType: string, size: number, expiresInSeconds: number): Promise<PresignedUpload> {
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
    // Uploads go to the API itself (MEDIA_PUBLIC_BASE_URL may be a CDN that serves files only).
    const url = `${this.apiBaseUrl}/media/${assertObjectKey(key)}?${this.signer.query(key, contentType, size, expiresAt)}`;
    return { url, method: 'PUT', headers: { 'Content-Type': contentType, 'Content-Length': String(size) }, expiresAt };
  }
}
