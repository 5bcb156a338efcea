import { createSecretKey, KeyObject } from 'node:crypto';
import type { AppConfig } from '@app/common';

/**
 * JWT_SECRET as a KeyObject, made once per service. Given a string, jsonwebtoken first tries to
 * parse it as a PEM public/private key on every sign and verify, and only falls back to a secret
 * key after that throws: ~15 % of the API's CPU on authenticated requests (bench/RESULTS.md).
 */
export function jwtSecretKey(config: AppConfig): KeyObject {
  return createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
}
