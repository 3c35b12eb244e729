import { asyncScheduler, defer, delay, firstValueFrom, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Authorization } from '../../lib/auth/authorization';
import { TokenManager } from '../../lib/auth/token-manager';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A token that expires at `expMs` (virtual ms since the epoch). */
const token = (n: number, expMs: number) => new Authorization(`${b64({ alg: 'HS256' })}.${b64({ sub: 'c', exp: expMs / 1000, n })}.sig${n}`, 'c', 'secret');

describe('TokenManager (virtual time)', () => {
  it('refreshes proactively, a margin before expiry, and again for each new token', () => {
    const test = new TestScheduler((a, b) => expect(a).toEqual(b));
    test.run(() => {
      const minted: number[] = [];
      let n = 0;
      const manager: TokenManager = new TokenManager({
        // each fresh token lives 100 ms from when it is minted
        mint: () => defer(() => {
          minted.push(test.now());
          return of(token(++n, test.now() + 100));
        }),
        refreshMargin: 10,
        scheduler: asyncScheduler,
      });
      manager.set(token(0, 100));
      test.schedule(() => manager.dispose(), 300);
      test.flush();
      // lifetime 100, margin min(10, 100/4) = 10: refresh at 90, 180, 270
      expect(minted).toEqual([90, 180, 270]);
    });
  });

  it('caps the margin at a quarter of a short token lifetime', () => {
    const test = new TestScheduler((a, b) => expect(a).toEqual(b));
    test.run(() => {
      const minted: number[] = [];
      const manager = new TokenManager({
        mint: () => defer(() => {
          minted.push(test.now());
          return of(token(1, test.now() + 1_000_000));
        }),
        refreshMargin: 30_000,
        scheduler: asyncScheduler,
      });
      manager.set(token(0, 2000));
      test.schedule(() => manager.dispose(), 3000);
      test.flush();
      expect(minted).toEqual([1500]);
    });
  });

  it('runs one refresh for many concurrent callers holding the same stale token', async () => {
    let mints = 0;
    const manager = new TokenManager({
      mint: (): Observable<Authorization> => defer(() => {
        mints++;
        return of(token(mints, Date.now() + 3_600_000)).pipe(delay(5));
      }),
      refreshMargin: 0,
      scheduler: asyncScheduler,
    });
    const stale = token(0, Date.now() + 3_600_000);
    manager.set(stale);
    const fresh = await Promise.all(Array.from({ length: 100 }, () => firstValueFrom(manager.refreshIfCurrent(stale, 'expired'))));
    expect(mints).toBe(1);
    expect(new Set(fresh.map((a) => a.accessToken)).size).toBe(1);
    expect(manager.current).toBe(fresh[0]);
    // a caller arriving after the refresh, with the old token, gets the new one without a mint
    await firstValueFrom(manager.refreshIfCurrent(stale, 'expired'));
    expect(mints).toBe(1);
    manager.dispose();
  });
});
