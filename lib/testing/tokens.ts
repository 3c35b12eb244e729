/**
 * Access tokens: HS256 JWTs `{ sub: client_id, scope, iat, exp }`, signed with a random per-server key.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** @internal What a valid token says. */
export interface TokenClaims {
  clientId: string;
  scope: string;
}

/** @internal */
export class TokenIssuer {
  private key = newKey();

  constructor(private readonly lifetimeSeconds: number) {}

  issue(clientId: string, scope: string): Promise<string> {
    const issuedAt = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.lifetimeSeconds)
      .sign(this.key);
  }

  /** The claims of a token signed with the current key and not expired (no clock tolerance), else undefined. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
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
