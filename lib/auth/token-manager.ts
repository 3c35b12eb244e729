/**
 * Keeping a session's token fresh: proactively shortly before it expires, reactively when a call
 * meets 401 `Invalid token` or a socket handshake meets 403. Refreshes are single-flight: however
 * many calls ask at once, one `POST /auth` runs and they all get its token.
 *
 * The proactive timer cannot storm `/auth`: the token's remaining life is read by the server's
 * clock (the offset from its `Date` header), the delay is clamped to the timer's range and never
 * falls below a floor, a token that is already expired when it arrives gets no timer at all (its
 * `exp` cannot time anything; a 401 will refresh it), and failed refreshes back off, a few times.
 * @module
 */
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { deadlinesFor, MAX_TIMER_MS } from '../call/deadlines.js';
import { defer, finalize, of, shareReplayOne, switchMap, tap } from '../call/rx.js';
import { SessionMisuseError } from '../errors/kiss-error.js';
import { isRetryable, needsFreshToken } from '../retry/classify.js';
import type { Authorization } from './authorization.js';

/** Why a token was refreshed. */
export type RefreshReason = 'proactive' | 'expired' | 'handshake';

/**
 * What a token manager needs from its owner. The hooks are called as methods of the config, so an
 * owner can be its own config (a session is: no object of closures per session).
 * @internal
 */
export interface TokenManagerConfig {
  /** Mints a fresh token for the same client from its id and secret. */
  mint: (clientId: string, clientSecret: string) => Observable<Authorization>;
  /** Refresh this long before `exp` (capped at a quarter of the token's lifetime). */
  refreshMargin: number;
  scheduler: SchedulerLike;
  /** The shortest wait before a proactive refresh, in ms. @default 250 */
  minDelay?: number;
  onRefreshed?: (auth: Authorization, reason: RefreshReason) => void;
  onRefreshing?: (reason: RefreshReason) => void;
  /** A proactive refresh failed; the session decides what that means. */
  onProactiveFailure?: (error: unknown) => void;
}

export { MAX_TIMER_MS };
/**
 * The floor under every proactive refresh delay. Low enough that a short token (the test server's
 * 2-second ones) is still refreshed before it expires; high enough that no loop of refreshes can
 * run faster than 4 a second, whatever `exp` says.
 */
const DEFAULT_MIN_DELAY_MS = 250;
/** The first wait after a failed proactive refresh; it doubles after each failure. */
const RETRY_BASE_MS = 1000;
/** Retries of a failed proactive refresh, after 1, 2 and 4 times the floor. */
const PROACTIVE_RETRIES = 3;

/** @internal */
export class TokenManager {
  private auth: Authorization | undefined;
  private inFlight: Observable<Authorization> | undefined;
  /** Cancels the armed proactive refresh. */
  private timer: (() => void) | undefined;
  private proactive: Subscription | undefined;
  private proactiveFailures = 0;
  private disposed = false;

  constructor(private readonly config: TokenManagerConfig) {}

  /** The newest authorization. */
  get current(): Authorization | undefined {
    return this.auth;
  }

  /** Adopts an authorization and schedules its proactive refresh. */
  set(auth: Authorization): void {
    this.auth = auth;
    this.proactiveFailures = 0;
    this.stopTimer();
    if (!auth.clientSecret || this.disposed) return;
    const remaining = auth.remainingMs(this.config.scheduler.now());
    if (remaining === undefined || remaining <= 0) return;
    const margin = Math.min(this.config.refreshMargin, remaining / 4);
    this.arm(remaining - margin);
  }

  /**
   * A token newer than `stale`: the current one if it already is, else one refresh shared by every
   * caller waiting at the same time.
   */
  refreshIfCurrent(stale: Authorization, reason: RefreshReason): Observable<Authorization> {
    return defer(() => (this.auth && this.auth !== stale && this.auth.accessToken !== stale.accessToken ? of(this.auth) : this.refresh(reason)));
  }

  private refresh(reason: RefreshReason): Observable<Authorization> {
    if (this.inFlight) return this.inFlight;
    const auth = this.auth;
    if (!auth?.clientSecret) {
      return defer(() => {
        throw new SessionMisuseError('The token needs refreshing but this session has no client secret; authorize again.', { step: 'authorize' });
      });
    }
    this.config.onRefreshing?.(reason);
    const refresh = this.config.mint(auth.clientId, auth.clientSecret).pipe(
      tap((fresh) => {
        if (this.disposed) return;
        this.set(fresh);
        this.config.onRefreshed?.(fresh, reason);
      }),
      finalize(() => {
        if (this.inFlight === refresh) this.inFlight = undefined;
      }),
      shareReplayOne(),
    );
    this.inFlight = refresh;
    return refresh;
  }

  /** Runs the proactive refresh after `delayMs`, clamped between the floor and the timer's range. */
  private arm(delayMs: number): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(this.config.minDelay ?? DEFAULT_MIN_DELAY_MS, delayMs));
    // One shared queue holds every session's refresh (and every call's timeout): no timer per
    // session, and under the default scheduler a native unref'd one that never keeps Node alive.
    this.timer = deadlinesFor(this.config.scheduler).add(delay, () => {
      this.timer = undefined;
      this.proactive = this.refresh('proactive').subscribe({ error: (error: unknown) => this.proactiveFailed(error) });
    });
  }

  /** Backs off and tries again while the token lives and the failure may pass; else leaves it to a 401. */
  private proactiveFailed(error: unknown): void {
    this.config.onProactiveFailure?.(error);
    if (this.disposed || !this.auth || !isRetryable(error, 'authorize', { resendStores: false })) return;
    if (++this.proactiveFailures > PROACTIVE_RETRIES) return;
    const delay = RETRY_BASE_MS * 2 ** (this.proactiveFailures - 1);
    const remaining = this.auth.remainingMs(this.config.scheduler.now());
    if (remaining !== undefined && delay >= remaining) return;
    this.arm(delay);
  }

  private stopTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /** Forgets the authorization and stops its timer (an open() that was cancelled); set() works again. */
  clear(): void {
    this.auth = undefined;
    this.stopTimer();
    this.proactive?.unsubscribe();
    this.proactive = undefined;
  }

  /** Stops the proactive timer and any proactive refresh; nothing is scheduled afterwards. */
  dispose(): void {
    this.disposed = true;
    this.stopTimer();
    this.proactive?.unsubscribe();
    this.proactive = undefined;
  }
}

/**
 * Runs a call with `auth`; when it fails with 401 `Invalid token`, gets a newer token from
 * `refresh` and replays the call once with it. The one place a call is replayed for its token
 * (sessions and the compat classes both go through it); retrying other failures is the policy's.
 * @internal
 */
export function withFreshToken<T>(auth: Authorization, run: (auth: Authorization) => Observable<T>, refresh: (stale: Authorization) => Observable<Authorization>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let inner = run(auth).subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => {
        if (!needsFreshToken(error)) return subscriber.error(error);
        inner = refresh(auth).pipe(switchMap(run)).subscribe(subscriber);
      },
      complete: () => subscriber.complete(),
    });
    return () => inner.unsubscribe();
  });
}
