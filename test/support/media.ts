import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';
import { eventually } from './webhook-receiver';

export { eventually };

/** A real image of the given size (a gradient, so it compresses like a photo rather than to nothing). */
export async function imageOf(width: number, height: number, format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })[format]().toBuffer();
}

/** A minimal but valid PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export const uploadImage = (t: TestApp, owner: TestAccount, bytes: Buffer, name = 'photo.png') =>
  t.http.post('/api/upload/image').set(owner.auth).attach('file', bytes, name);

/** Uploads an image and returns its media id; throws with the error body unless 201. */
export async function uploadedImage(t: TestApp, owner: TestAccount, bytes?: Buffer, name = 'photo.png'): Promise<string> {
  const res = await uploadImage(t, owner, bytes ?? (await imageOf(40, 30)), name);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.media_id;
}

/** GET /api/media/{id} until its status leaves `pending`/`processing`. */
export function settledMedia(t: TestApp, owner: TestAccount, id: string, timeoutMs = 15_000) {
  return eventually(
    async () => (await t.http.get(`/api/media/${id}`).set(owner.auth)).body,
    (m) => m.status === 'ready' || m.status === 'failed',
    timeoutMs,
    `media ${id} to settle`,
  );
}

/** The path (and query) of an absolute URL the API handed out, for supertest. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

export interface TestS3 {
  port: number;
  endpoint: string;
  bucket: string;
  client: S3Client;
  env: Record<string, string>;
  stop: () => Promise<void>;
  /** Starts it again on the same port and directory (objects kept). */
  start: () => Promise<void>;
  exists: (key: string) => Promise<boolean>;
  close: () => Promise<void>;
}

/**
 * s3rver, an S3-protocol server, on a free port with its own temporary directory. It does not
 * verify SigV4 signatures, so the service's own checks (complete) are what the tests exercise.
 */
export async function startS3(bucket = 'media-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  let server: S3rver | null = null;
  let port = 0;
  const run = async () => {
    server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, resetOnClose: false });
    port = (await server.run()).port;
  };
  await run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const stop = async () => {
    const s = server;
    server = null;
    await s?.close();
  };
  return {
    port,
    endpoint,
    bucket,
    client,
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    stop,
    start: run,
    exists: async (key) => {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    },
    close: async () => {
      client.destroy();
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
