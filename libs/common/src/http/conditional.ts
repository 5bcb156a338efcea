import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * A body with its ETag (null when it cannot be computed cheaply), the same already serialized to
 * JSON (an answer kept in a server-side cache), or "your cached copy is current".
 */
export type Conditional<T> =
  | { notModified: true; etag: string }
  | { notModified: false; etag: string | null; body: T }
  | { notModified: false; etag: string; json: string };

/** A weak ETag over everything an answer depends on. */
export function weakEntityTag(inputs: Record<string, unknown>): string {
  const digest = createHash('sha256').update(JSON.stringify(inputs)).digest('base64url').slice(0, 32);
  return `W/"${digest}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored; `*` matches anything. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** Storefronts and CDNs may reuse a public answer for a minute, and serve it stale while revalidating. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

/**
 * Sends a cacheable answer: 200 with the body, or 304 with no body, either way with the caching
 * headers (RFC 9110 asks them of a 304 too). Public answers depend on Accept-Language, hence Vary.
 */
export function sendCacheable<T>(reply: FastifyReply, result: Conditional<T>, cacheControl = PUBLIC_CACHE_CONTROL): void {
  const vary = reply.getHeader('vary');
  void reply.header('Cache-Control', cacheControl).header('Vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language');
  if (result.etag) void reply.header('ETag', result.etag);
  if (result.notModified) void reply.code(304).send();
  else if ('json' in result) void reply.code(200).type('application/json; charset=utf-8').send(result.json);
  else void reply.code(200).send(result.body);
}
