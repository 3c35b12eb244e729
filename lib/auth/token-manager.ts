/**
 * Keeping a session's token fresh: proactively shortly before it expires, reactively when a call
 * meets 401 `Invalid token` or a socket handshake meets 403. Refreshes are single-flight: however
 * many calls ask at once, one `POST /auth` runs and they all get its token.
 * @module
 */
import { defer, finalize, type Observable, of, type SchedulerLike, shareReplay, type Subscription, tap } from 'rxjs';
import { SessionMisuseError } from '../errors/kiss-error.js';
import type { Authorization } from './authorization.js';

/** Why a token was refreshed. */
export type RefreshReason = 'proactive' | 'expired' | 'handshake';

/** @internal */
export interface TokenManagerConfig {
  /** Mints a fresh token for the same client from its id and secret. */
  mint: (clientId: string, clientSecret: string) => Observable<Authorization>;
  /** Refresh this long before `exp` (capped at a quarter of the token's lifetime). */
  refreshMargin: number;
  scheduler: SchedulerLike;
  onRefreshed?: (auth: Authorization, reason: RefreshReason) => void;
  onRefreshing?: (reason: RefreshReason) => void;
  /** A proactive refresh failed; the session decides what that means. */
  onProactiveFailure?: (error: unknown) => void;
}

/** @internal */
export class TokenManager {
  private auth: Authorization | undefined;
  private inFlight: Observable<Authorization> | undefined;
  private timer: Subscription | undefined;
  private proactive: Subscription | undefined;

  constructor(private readonly config: TokenManagerConfig) {}

  /** The newest authorization. */
  get current(): Authorization | undefined {
    return this.auth;
  }

  /** Adopts an authorization and schedules its proactive refresh. */
  set(auth: Authorization): void {
    this.auth = auth;
    this.timer?.unsubscribe();
    this.timer = undefined;
    if (auth.expiresAt === undefined || !auth.clientSecret) return;
    const now = this.config.scheduler.now();
    const lifetime = auth.expiresAt - now;
    const margin = Math.min(this.config.refreshMargin, Math.max(0, lifetime) / 4);
    this.timer = this.config.scheduler.schedule(() => {
      this.timer = undefined;
      this.proactive = this.refresh('proactive').subscribe({ error: (error: unknown) => this.config.onProactiveFailure?.(error) });
    }, Math.max(0, lifetime - margin));
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
        this.set(fresh);
        this.config.onRefreshed?.(fresh, reason);
      }),
      finalize(() => {
        if (this.inFlight === refresh) this.inFlight = undefined;
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    this.inFlight = refresh;
    return refresh;
  }

  /** Stops the proactive timer. */
  dispose(): void {
    this.timer?.unsubscribe();
    this.proactive?.unsubscribe();
    this.timer = undefined;
  }
}
