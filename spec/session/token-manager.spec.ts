import { asyncScheduler, defer, delay, firstValueFrom, of, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Authorization } from '../../lib/auth/authorization';
import { MAX_TIMER_MS, TokenManager } from '../../lib/auth/token-manager';
import { ServerError, TransportError, UnauthorizedError } from '../../lib';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A token that expires at `expMs` (virtual ms since the epoch). */
const token = (n: number, expMs: number, clockOffsetMs = 0) =>
  new Authorization(`${b64({ alg: 'HS256' })}.${b64({ sub: 'c', exp: expMs / 1000, n })}.sig${n}`, 'c', 'secret', undefined, clockOffsetMs);

/** Runs a manager in virtual time for `forMs`, minting with `mint(now, n)`; returns when each mint happened. */
function mints(first: (now: number) => Authorization, mint: (now: number, n: number) => Observable<Authorization>, forMs: number, minDelay?: number): number[] {
  const test = new TestScheduler((a, b) => expect(a).toEqual(b));
  const minted: number[] = [];
  test.run(() => {
    let n = 0;
    const manager = new TokenManager({
      mint: () => defer(() => {
        minted.push(test.now());
        return mint(test.now(), ++n);
      }),
      refreshMargin: 30_000,
      scheduler: test,
      minDelay,
    });
    manager.set(first(test.now()));
    test.schedule(() => manager.dispose(), forMs);
    test.flush();
  });
  return minted;
}

const DAY = 86_400_000;

describe('TokenManager: a proactive refresh that cannot storm', () => {
  it('clamps a 30-day lifetime to the timer range instead of overflowing it to 0 ms', () => {
    // setTimeout turns a delay over 2^31-1 ms into 1 ms: without the clamp, this refreshes in a loop.
    const at = mints((now) => token(0, now + 30 * DAY), (now, n) => of(token(n, now + 30 * DAY)), 30 * DAY);
    expect(at[0]).toBe(MAX_TIMER_MS);
    expect(at).toHaveLength(1);
  });

  it('gives a token already expired on arrival no timer: a 401 will refresh it', () => {
    const at = mints((now) => token(0, now - 60_000), (now, n) => of(token(n, now - 60_000)), 10_000);
    expect(at).toEqual([]);
  });

  it('reads the remaining life by the server clock: a client clock 2 minutes fast changes nothing', () => {
    // Server clock = client clock - 120 s. The token lives 30 s by the server's clock.
    const offset = -120_000;
    const at = mints((now) => token(0, now + offset + 30_000, offset), (now, n) => of(token(n, now + offset + 30_000, offset)), 10_000);
    expect(at).toEqual([]); // the first refresh is due at 30 s - 7.5 s = 22.5 s
    const later = mints((now) => token(0, now + offset + 30_000, offset), (now, n) => of(token(n, now + offset + 30_000, offset)), 50_000);
    expect(later).toEqual([22_500, 45_000]);
  });

  it('never refreshes sooner than the floor (250 ms), however short the token', () => {
    // 120 ms tokens would be refreshed every 90 ms; the floor holds it to one refresh per 250 ms.
    const at = mints((now) => token(0, now + 120), (now, n) => of(token(n, now + 120)), 1_100);
    expect(at).toEqual([250, 500, 750, 1000]);
  });

  it('backs off after failed proactive refreshes, and stops after three retries', () => {
    const at = mints((now) => token(0, now + 60_000), () => throwError(() => new TransportError('refused', { step: 'authorize' })), 60_000);
    // due at 60 - 15 = 45 s, then 1, 2 and 4 s later
    expect(at).toEqual([45_000, 46_000, 48_000, 52_000]);
  });

  it('does not retry a refresh the server refused for good', () => {
    const at = mints((now) => token(0, now + 60_000), () => throwError(() => new UnauthorizedError('Invalid or inactive session', { step: 'authorize' })), 60_000);
    expect(at).toEqual([45_000]);
  });

  it('does not retry once the token would be gone before the retry', () => {
    const at = mints((now) => token(0, now + 4000), () => throwError(() => new ServerError(503, 'busy', { step: 'authorize' })), 10_000);
    // due at 3 s with 1 s left: a retry 1 s later would meet an expired token
    expect(at).toEqual([3000]);
  });
});

// Virtual time: the manager is given the TestScheduler itself (its timers go through the shared
// deadline queue, which only drives a native timer for real time: the default scheduler, or RxJS's
// asyncScheduler).
describe('TokenManager (virtual time)', () => {
  it('refreshes proactively, a margin before expiry, and again for each new token', () => {
    const test = new TestScheduler((a, b) => expect(a).toEqual(b));
    test.run(() => {
      const minted: number[] = [];
      let n = 0;
      const manager: TokenManager = new TokenManager({
        // each fresh token lives 10 s from when it is minted
        mint: () => defer(() => {
          minted.push(test.now());
          return of(token(++n, test.now() + 10_000));
        }),
        refreshMargin: 1000,
        scheduler: test,
      });
      manager.set(token(0, 10_000));
      test.schedule(() => manager.dispose(), 30_000);
      test.flush();
      // lifetime 10 s, margin min(1 s, 10 s / 4) = 1 s: refresh at 9, 18, 27 s
      expect(minted).toEqual([9000, 18_000, 27_000]);
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
        scheduler: test,
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
