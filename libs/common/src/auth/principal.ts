export const ROLES = ['customer', 'merchant', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: established once per request by the authentication guard. */
export interface Principal {
  kind: 'user' | 'api_key';
  /** The user, or for an API key the user who created it (null for external tokens without a local user). */
  userId: string | null;
  role: Role;
  /** The caller's own merchant (merchant users and merchant API keys); null otherwise. */
  merchantId: string | null;
  scopes: Scope[];
  apiKeyId?: string;
  /** Token issued by the configured external identity provider rather than this service. */
  external?: boolean;
  /** Token obtained on a user's behalf by another client (device flow). */
  delegated?: boolean;
  /** Access token id and expiry (seconds), so logout can deny-list the token. */
  jti?: string;
  exp?: number;
}

/** Request facts every service call that writes may need (audit, idempotency, logs). */
export interface RequestContext {
  principal: Principal | null;
  requestId: string;
  ip: string;
  userAgent?: string;
}

export function isAdmin(principal: Principal | null | undefined): boolean {
  return principal?.role === 'admin';
}
