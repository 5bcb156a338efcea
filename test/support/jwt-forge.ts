import { createHmac, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';

/** Helpers to build hostile or foreign JWTs and to serve a JWKS, for the identity e2e tests. */

export const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const json64 = (value: object) => b64url(JSON.stringify(value));

/** A JWT assembled by hand: `sign` gets the `header.payload` bytes; omit it for an empty signature. */
export function forgeJwt(header: object, payload: object, sign?: (signingInput: string) => Buffer): string {
  const signingInput = `${json64(header)}.${json64(payload)}`;
  return `${signingInput}.${sign ? b64url(sign(signingInput)) : ''}`;
}

/** HMAC-SHA256 with arbitrary key bytes (e.g. an RSA public key PEM: the algorithm-confusion attack). */
export const hmacSha256 = (key: string | Buffer) => (input: string) => createHmac('sha256', key).update(input).digest();

/** Replaces the payload of a signed JWT, keeping its header and signature. */
export function tamperPayload(token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${json64(change(claims))}.${signature}`;
}

export interface RsaKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  jwk: JsonWebKey & { kid: string; alg: string; use: string };
}

export function rsaKey(kid: string): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

/** A tiny identity provider: serves `{keys}` at /.well-known/jwks.json on 127.0.0.1 and counts fetches. */
export async function startJwksServer(keys: RsaKey['jwk'][]): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
