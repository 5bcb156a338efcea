import { isIP } from 'node:net';

const PRIVATE_V4 = [/^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^0\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];

/**
 * Why a merchant's webhook URL is refused, or null. In production-like environments only https to
 * a public host: no localhost or private/link-local literal addresses (a DNS name that resolves to
 * one is not caught here). Development and test accept http and local receivers.
 */
export function webhookUrlProblem(raw: string, productionLike: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http(s)';
  if (url.username || url.password) return 'must not carry credentials';
  if (!productionLike) return null;
  if (url.protocol !== 'https:') return 'must be https';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return 'must be a public host';
  if (isIP(host) === 4 && PRIVATE_V4.some((r) => r.test(host))) return 'must be a public address';
  if (isIP(host) === 6 && (host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:'))) return 'must be a public address';
  return null;
}
