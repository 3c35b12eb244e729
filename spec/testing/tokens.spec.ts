// The test server's HS256 JWTs, signed and checked with node:crypto: a published test vector, the
// real server's claims, and every token PyJWT would refuse.
import { createHmac } from 'node:crypto';
import { ServerClock } from '../../lib/testing/clock';
import { TokenIssuer } from '../../lib/testing/tokens';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token signed with `key` over the given header and claims, as any HS256 library would make it. */
function signed(key: string, header: unknown, claims: unknown): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const KEY = 'your-256-bit-secret';
const issuer = (clock = new ServerClock(0), lifetime = 1800) => new TokenIssuer(lifetime, clock, new TextEncoder().encode(KEY));

describe('the test server tokens', () => {
  it('accepts the published HS256 example token (jwt.io), which has no exp', () => {
    const example =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(issuer().verify(example)).toEqual({ clientId: '1234567890', scope: 'undefined' });
  });

  it('issues the header and claims PyJWT issues, signed with HMAC-SHA256 over header.payload', () => {
    const clock = new ServerClock(0);
    const token = issuer(clock, 60).issue('client-1', 'temporary');
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual(['exp', 'scope', 'sub']);
    expect(claims).toMatchObject({ sub: 'client-1', scope: 'temporary' });
    expect(claims.exp).toBeGreaterThanOrEqual(clock.epochSeconds() + 59);
    expect(signature).toBe(createHmac('sha256', KEY).update(`${header}.${payload}`).digest('base64url'));
    expect(issuer(clock).verify(token)).toEqual({ clientId: 'client-1', scope: 'temporary' });
  });

  it('is expired once exp is reached, by the server clock', () => {
    const clock = new ServerClock(0);
    const now = clock.epochSeconds();
    const at = (exp: number) => signed(KEY, { alg: 'HS256', typ: 'JWT' }, { sub: 'c', scope: 'persistent', exp });
    expect(issuer(clock).verify(at(now + 5))).toEqual({ clientId: 'c', scope: 'persistent' });
    expect(issuer(clock).verify(at(now))).toBeUndefined();
    expect(issuer(new ServerClock(10)).verify(at(now + 5))).toBeUndefined();
  });

  it('refuses a token PyJWT would refuse', () => {
    const good = { sub: 'c', scope: 'temporary' };
    const header = { alg: 'HS256', typ: 'JWT' };
    const valid = signed(KEY, header, good);
    const [h, p, s] = valid.split('.') as [string, string, string];
    const refused = {
      'another key': signed('another-key', header, good),
      'alg none': `${b64url({ alg: 'none', typ: 'JWT' })}.${p}.`,
      'alg HS512 signed as HS256': signed(KEY, { alg: 'HS512', typ: 'JWT' }, good),
      'a changed payload': `${h}.${b64url({ ...good, sub: 'other' })}.${s}`,
      'a cut signature': `${h}.${p}.${s.slice(0, -2)}`,
      'a signature that is not base64url': `${h}.${p}.${s.slice(0, -1)}=`,
      'two parts': `${h}.${p}`,
      'four parts': `${valid}.x`,
      'no sub': signed(KEY, header, { scope: 'temporary' }),
      'an exp that is not a number': signed(KEY, header, { ...good, exp: '9999999999' }),
      'a payload that is not an object': signed(KEY, header, [1, 2]),
      'a payload that is not JSON': signed(KEY, header, 'not json'),
      '': '',
    };
    for (const [why, token] of Object.entries(refused)) expect([why, issuer().verify(token)]).toEqual([why, undefined]);
    expect(issuer().verify(valid)).toBeDefined();
  });

  it('stops verifying every earlier token once its key is rotated', () => {
    const tokens = issuer();
    const before = tokens.issue('c', 'temporary');
    tokens.rotateKey();
    expect(tokens.verify(before)).toBeUndefined();
    expect(tokens.verify(tokens.issue('c', 'temporary'))).toEqual({ clientId: 'c', scope: 'temporary' });
  });
});
