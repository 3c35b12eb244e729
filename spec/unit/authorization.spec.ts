import { inspect } from 'node:util';
import { Authorization } from '../../lib/auth/authorization';
import { readTokenClaims } from '../../lib/auth/jwt-claims';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: unknown) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('Authorization', () => {
  const token = jwt({ sub: 'client-1', scope: 'persistent', exp: 2_000_000_000 });
  const auth = new Authorization(token, 'client-1', 'very-secret-value');

  it('reads expiry and scope from the token without verifying it', () => {
    expect(auth.expiresAt).toBe(2_000_000_000_000);
    expect(auth.scope).toBe('persistent');
    expect(auth.isExpired(1_999_999_999_000)).toBe(false);
    expect(auth.isExpired(1_999_999_999_000, 5_000)).toBe(true);
    expect(readTokenClaims('not-a-jwt')).toBeUndefined();
    expect(readTokenClaims('a.%%%.c')).toBeUndefined();
  });

  it('gives the token and secret through getters only', () => {
    expect(auth.accessToken).toBe(token);
    expect(auth.clientSecret).toBe('very-secret-value');
  });

  it('never renders the token or the secret', () => {
    for (const text of [JSON.stringify(auth), String(auth), inspect(auth), inspect({ nested: auth }), `${auth}`]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('very-secret-value');
    }
    expect(JSON.parse(JSON.stringify(auth))).toMatchObject({ clientId: 'client-1', accessToken: '[redacted]' });
  });

  it('wraps a foreign token, taking the client id from its claims', () => {
    const other = Authorization.fromToken(jwt({ sub: 'c9', scope: 'temporary' }));
    expect(other.clientId).toBe('c9');
    expect(other.scope).toBe('temporary');
    expect(other.expiresAt).toBeUndefined();
    expect(other.isExpired()).toBe(false);
  });
});
