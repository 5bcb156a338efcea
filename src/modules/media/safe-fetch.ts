import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A URL that will never work: a private address, too large, refused by its server (4xx)… Not retried. */
export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
}

/** A failure that may pass: timeout, connection reset, a 5xx. Retried a few times. */
export class FetchFailedError extends Error {
  override name = 'FetchFailedError';
}

// Addresses an image URL may never reach: this host, private networks, link-local (cloud metadata
// at 169.254.169.254), carrier-grade NAT, documentation, benchmarking, multicast and reserved.
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail and a zone id allowed), or null. */
function ipv6Groups(address: string): number[] | null {
  let addr = address.toLowerCase().replace(/%.*$/, '');
  const dotted = addr.match(/(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    addr = `${addr.slice(0, -dotted[0].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || head.length + tail.length + fill !== 8) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  return groups.some(Number.isNaN) ? null : groups;
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), which decides where it really goes. */
function embeddedIpv4(groups: number[]): string | null {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
  return null;
}

/** True for a routable public unicast address; false for anything private, local, reserved or malformed. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return !BLOCKED.check(address, 'ipv4');
  if (family !== 6) return false;
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const embedded = embeddedIpv4(groups);
  if (embedded && BLOCKED.check(embedded, 'ipv4')) return false;
  return !BLOCKED.check(groups.map((g) => g.toString(16)).join(':'), 'ipv6');
}

/** Syntax, scheme and credentials of an image URL; the address check comes with DNS. */
export function parseImageUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefusedError('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefusedError('must be an http or https URL');
  if (url.username || url.password) throw new FetchRefusedError('must not carry credentials');
  if (!url.hostname) throw new FetchRefusedError('has no host');
  return url;
}

const literalHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

function refuseAddress(host: string, address: string): FetchRefusedError {
  return new FetchRefusedError(
    host === address ? `${address} is a private, loopback or reserved address` : `${host} resolves to ${address}, a private, loopback or reserved address`,
  );
}

/**
 * Checks every address the URL's host stands for, as the API does before accepting an image URL.
 * The worker checks again at connection time (guardedLookup), since DNS answers can change between.
 */
export async function assertPublicUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = parseImageUrl(raw);
  if (allowPrivate) return url;
  const host = literalHost(url);
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw refuseAddress(host, host);
    return url;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, found) => (err ? reject(err) : resolve(found))),
  ).catch((err: NodeJS.ErrnoException) => {
    // An unknown host never works; a resolver hiccup is the worker's to retry.
    if (err.code === 'ENOTFOUND') throw new FetchRefusedError(`${host} does not resolve`);
    return [];
  });
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw refuseAddress(host, bad.address);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for http.request that refuses private answers, so the connection goes to the very
 * address that was checked (no DNS rebinding between the check and the connect).
 */
function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(refuseAddress(hostname, bad.address) as NodeJS.ErrnoException, []);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface SafeFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function get(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const host = literalHost(url);
  if (isIP(host) && !options.allowPrivate && !isPublicAddress(host)) return Promise.reject(refuseAddress(host, host));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'GET',
        agent: false,
        signal,
        lookup: guardedLookup(options.allowPrivate) as unknown as typeof dnsLookup,
        headers: { 'user-agent': 'commerce-backend-media/1.0', accept: 'image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1' },
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * Downloads an image URL into a file, safely: http(s) only, no private/loopback/link-local target
 * (checked on every DNS answer and every redirect hop), a time limit for the whole transfer and a
 * size cap (announced and actual). Refusals are FetchRefusedError; transient failures FetchFailedError.
 */
export async function fetchToFile(raw: string, path: string, options: SafeFetchOptions): Promise<{ bytes: number; url: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let url = parseImageUrl(raw);
  try {
    for (let hop = 0; ; hop++) {
      const response = await get(url, options, controller.signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && response.headers.location) {
        response.resume();
        if (hop >= (options.maxRedirects ?? 3)) throw new FetchRefusedError('too many redirects');
        url = parseImageUrl(new URL(response.headers.location, url).toString());
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        if (status >= 500 || status === 429 || status === 408) throw new FetchFailedError(`the server answered ${status}`);
        throw new FetchRefusedError(`the server answered ${status}`);
      }
      const announced = Number(response.headers['content-length']);
      if (Number.isFinite(announced) && announced > options.maxBytes) {
        response.destroy();
        throw new FetchRefusedError(`is ${announced} bytes; the limit is ${options.maxBytes}`);
      }
      let bytes = 0;
      const cap = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (bytes > options.maxBytes) callback(new FetchRefusedError(`is larger than the limit of ${options.maxBytes} bytes`));
          else callback(null, chunk);
        },
      });
      await pipeline(response, cap, createWriteStream(path));
      return { bytes, url: url.toString() };
    }
  } catch (err) {
    if (err instanceof FetchRefusedError || err instanceof FetchFailedError) throw err;
    if (controller.signal.aborted) throw new FetchFailedError(`timed out after ${options.timeoutMs} ms`);
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOTFOUND') throw new FetchRefusedError(`${url.hostname} does not resolve`);
    throw new FetchFailedError((err as Error)?.message ?? String(err));
  } finally {
    clearTimeout(timer);
  }
}
