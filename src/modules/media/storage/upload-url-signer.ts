import { createHmac, timingSafeEqual } from 'node:crypto';

export type UploadUrlVerdict = { ok: true; contentType: string; size: number } | { ok: false; reason: string };

const PARAM = { expires: 'X-Media-Expires', size: 'X-Media-Size', type: 'X-Media-Type', signature: 'X-Media-Signature' } as const;

/**
 * The local driver's answer to S3's presigned PUT: an expiring URL on the API whose query carries
 * the content type and exact size, HMAC-signed with a key derived from the service's JWT secret
 * (so no other secret needs managing). Changing any of them, or the key, breaks the signature.
 */
export class UploadUrlSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('media-upload-url/v1').digest();
  }

  private signature(objectKey: string, contentType: string, size: number, expires: number): Buffer {
    return createHmac('sha256', this.key).update(['PUT', objectKey, contentType, String(size), String(expires)].join('\n')).digest();
  }

  query(objectKey: string, contentType: string, size: number, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return new URLSearchParams({
      [PARAM.expires]: String(expires),
      [PARAM.size]: String(size),
      [PARAM.type]: contentType,
      [PARAM.signature]: this.signature(objectKey, contentType, size, expires).toString('base64url'),
    }).toString();
  }

  verify(objectKey: string, query: Record<string, unknown>, now = Date.now()): UploadUrlVerdict {
    const get = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : '');
    const expires = get(PARAM.expires);
    const size = get(PARAM.size);
    const contentType = get(PARAM.type);
    const given = Buffer.from(get(PARAM.signature), 'base64url');
    if (!/^\d{1,12}$/.test(expires) || !/^\d{1,12}$/.test(size) || !contentType || given.length === 0) {
      return { ok: false, reason: 'The upload URL is incomplete' };
    }
    const expected = this.signature(objectKey, contentType, Number(size), Number(expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'The upload URL signature does not match' };
    if (Number(expires) * 1000 < now) return { ok: false, reason: 'The upload URL has expired' };
    return { ok: true, contentType, size: Number(size) };
  }
}
