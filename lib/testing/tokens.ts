/**
 * Access tokens: HS256 JWTs `{ sub: client_id, scope, exp }` (the real server's claims: no `iat`),
 * signed with a random per-server key, timed by the server's clock.
 *
 * Signed and checked with `node:crypto` alone. A JWT library would be one more package to load, and
 * the usual one (jose) publishes a browser build that jest's jsdom environment picks (it resolves
 * packages with the `browser` condition): an ES module that a CommonJS test cannot load. A Node
 * built-in loads the same in every jest environment.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerClock } from './clock.js';

/** @internal What a valid token says. */
export interface TokenClaims {
  clientId: string;
  scope: string;
}

/** PyJWT's header for HS256, in its key order. */
const HEADER = base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** @internal */
export class TokenIssuer {
  constructor(
    private readonly lifetimeSeconds: number,
    private readonly clock: ServerClock,
    /** The signing key; a random one unless a test of this class gives its own. */
    private key: Uint8Array = randomBytes(32),
  ) {}

  issue(clientId: string, scope: string): string {
    const payload = base64Url(JSON.stringify({ scope, sub: clientId, exp: this.clock.epochSeconds() + this.lifetimeSeconds }));
    return `${HEADER}.${payload}.${this.sign(`${HEADER}.${payload}`).toString('base64url')}`;
  }

  /**
   * The claims of a token signed with the current key and not expired by the server's clock (no
   * tolerance, as PyJWT: expired once `exp` is reached), else undefined. As PyJWT, the header must
   * name HS256, the signature must match, and `exp`, when present, must be a number.
   */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const given = fromBase64Url(signature);
    const expected = this.sign(`${header}.${payload}`);
    if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const head = readJson(header);
    const claims = readJson(payload);
    if (head?.alg !== 'HS256' || !claims || typeof claims.sub !== 'string') return undefined;
    if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp <= this.clock.epochSeconds())) return undefined;
    return { clientId: claims.sub, scope: String(claims.scope) };
  }

  /** Every token issued so far stops verifying. */
  rotateKey(): void {
    this.key = randomBytes(32);
  }

  private sign(input: string): Buffer {
    return createHmac('sha256', this.key).update(input).digest();
  }
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Strict base64url (no padding, no other characters), or undefined. */
function fromBase64Url(part: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(part) ? Buffer.from(part, 'base64url') : undefined;
}

/** A base64url JSON object, or undefined. */
function readJson(part: string): Record<string, unknown> | undefined {
  const bytes = fromBase64Url(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
