import type { Readable } from 'node:stream';
import type { StorageDriverName } from '@app/common';

export interface PutOptions {
  contentType: string;
  /** Required for streams (S3 needs the length up front). */
  contentLength?: number;
}

export interface ObjectInfo {
  size: number;
  contentType: string;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the client must send exactly (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

/**
 * Where media objects live. One implementation per backend (S3 and compatible stores, a local
 * directory), chosen by STORAGE_DRIVER; services only ever see this interface. Keys are the media
 * module's own (`merchants/<merchant>/<media>/…`): drivers refuse anything else.
 */
export abstract class StorageDriver {
  abstract readonly name: StorageDriverName;

  /** Stores a whole object; a stream must come with its exact length. */
  abstract put(key: string, body: Readable | Buffer, options: PutOptions): Promise<void>;

  /** Size and type of a stored object, or null when there is none. */
  abstract head(key: string): Promise<ObjectInfo | null>;

  /** Bytes [start, end] (inclusive) of an object: enough to check its signature without reading it all. */
  abstract readRange(key: string, start: number, end: number): Promise<Buffer>;

  abstract openRead(key: string): Promise<Readable>;

  /** Removes an object; a missing object is not an error (deletes are retried). */
  abstract delete(key: string): Promise<void>;

  abstract publicUrl(key: string): string;

  /** A URL the client PUTs the object to directly, with its type and exact size fixed by the signature. */
  abstract presignPut(key: string, contentType: string, size: number, expiresInSeconds: number): Promise<PresignedUpload>;

  async close(): Promise<void> {}

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
