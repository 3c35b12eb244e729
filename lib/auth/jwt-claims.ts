/**
 * Reading (never verifying) the claims of the server's JWT, to know when it expires.
 * @module
 */

/** The claims the server puts in its tokens. */
export interface TokenClaims {
  /** The client id. */
  sub?: string;
  /** `temporary` or `persistent`. */
  scope?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
}

function base64UrlToText(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const binary = atob(base64);
  if (typeof TextDecoder !== 'function') {
    // jest's jsdom environment has no TextDecoder: the UTF-8 bytes, percent-escaped, decode the same.
    return decodeURIComponent(Array.from(binary, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
  }
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * The claims of a JWT, or `undefined` when the token is not a readable JWT. The signature is not
 * checked: the client cannot, and only uses `exp` to refresh early.
 * @internal
 */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const middle = token.split('.')[1];
  if (!middle) return undefined;
  try {
    const claims: unknown = JSON.parse(base64UrlToText(middle));
    if (!claims || typeof claims !== 'object') return undefined;
    const { sub, scope, exp } = claims as Record<string, unknown>;
    return {
      sub: typeof sub === 'string' ? sub : undefined,
      scope: typeof scope === 'string' ? scope : undefined,
      exp: typeof exp === 'number' ? exp : undefined,
    };
  } catch {
    return undefined;
  }
}
