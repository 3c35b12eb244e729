/**
 * Access tokens: HS256 JWTs `{ sub: client_id, scope, exp }` (the real server's claims: no `iat`),
 * signed with a random per-server key, timed by the server's clock.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { ServerClock } from './clock.js';

/** @internal What a valid token says. */
export interface TokenClaims {
  clientId: string;
  scope: string;
}

/** @internal */
export class TokenIssuer {
  private key = newKey();

  constructor(
    private readonly lifetimeSeconds: number,
    private readonly clock: ServerClock,
  ) {}

  issue(clientId: string, scope: string): Promise<string> {
    return new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(clientId)
      .setExpirationTime(this.clock.epochSeconds() + this.lifetimeSeconds)
      .sign(this.key);
  }

  /**
   * The claims of a token signed with the current key and not expired by the server's clock (no
   * tolerance, as PyJWT: expired once `exp` is reached), else undefined.
   */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: this.clock.now() });
      if (typeof payload.sub !== 'string') return undefined;
      return { clientId: payload.sub, scope: String(payload.scope) };
    } catch {
      return undefined;
    }
  }

  /** Every token issued so far stops verifying. */
  rotateKey(): void {
    this.key = newKey();
  }
}

function newKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
