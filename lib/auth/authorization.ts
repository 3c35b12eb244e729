/**
 * The result of authorizing: a token plus the client's credentials, kept out of every rendering.
 * @module
 */
import type { Scope } from '../protocol/codecs.js';
import { REDACTED } from '../errors/redact.js';
import { readTokenClaims } from './jwt-claims.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * What {@link KissClient.authorize} emits: the bearer token for later calls, and the client id and
 * secret that can mint a fresh token for the same client. The token and secret are readable through
 * their getters but never appear in `JSON.stringify`, `toString()`, `util.inspect` or `console.log`.
 *
 * @example
 * ```ts
 * client.authorize({ scope: 'persistent' }).subscribe((auth) => {
 *   console.log(auth.clientId, auth.expiresAt); // the token itself is never printed
 *   saveCredentials(auth.clientId, auth.clientSecret);
 * });
 * ```
 * @category Authorization
 */
export class Authorization {
  readonly #accessToken: string;
  readonly #clientSecret: string | undefined;
  /** The client id (`sub` of the token). */
  readonly clientId: string;
  /** The client's scope, from the token (or the request) when known. */
  readonly scope: Scope | undefined;
  /** When the token expires, in ms since the epoch by the server's clock, read from its `exp`; `undefined` if unknown. */
  readonly expiresAt: number | undefined;
  /**
   * How far the server's clock was ahead of this machine's when the token was issued, in ms (read
   * from the response's `Date` header; negative when behind). Refresh timers use it to tell how long
   * the token really has. 0 when unknown or within the header's one-second resolution.
   */
  readonly clockOffsetMs: number;

  /**
   * @param accessToken - the JWT to send as `Authorization: Bearer`
   * @param clientId - the client's id
   * @param clientSecret - the client's secret, when known (needed to refresh)
   * @param scope - the scope asked for, used when the token does not say
   * @param clockOffsetMs - the server's clock minus this machine's, in ms (see {@link Authorization.clockOffsetMs})
   */
  constructor(accessToken: string, clientId: string, clientSecret?: string, scope?: Scope, clockOffsetMs = 0) {
    this.#accessToken = accessToken;
    this.#clientSecret = clientSecret;
    const claims = readTokenClaims(accessToken);
    this.clientId = clientId || claims?.sub || '';
    const claimed = claims?.scope;
    this.scope = claimed === 'temporary' || claimed === 'persistent' ? claimed : scope;
    this.expiresAt = claims?.exp === undefined ? undefined : claims.exp * 1000;
    this.clockOffsetMs = Number.isFinite(clockOffsetMs) ? clockOffsetMs : 0;
  }

  /**
   * The server's clock minus this machine's, from a response's `Date` header (`serverDate`, ms since
   * the epoch) received at `receivedAt`. The header counts whole seconds, so a difference within a
   * second is no difference (0); a larger one is taken from the middle of the header's second.
   *
   * @example
   * ```ts
   * Authorization.clockOffset(Date.parse('Fri, 27 Nov 2026 14:00:00 GMT'), Date.parse('2026-11-27T14:02:00Z')); // -119500
   * ```
   */
  static clockOffset(serverDate: number | undefined, receivedAt: number): number {
    if (serverDate === undefined || !Number.isFinite(serverDate)) return 0;
    const raw = serverDate - receivedAt;
    return Math.abs(raw) <= 1000 ? 0 : raw + 500;
  }

  /**
   * Wraps a token obtained elsewhere (the client id and scope are read from its claims).
   *
   * @example
   * ```ts
   * const auth = Authorization.fromToken(process.env.KISS_TOKEN!);
   * ```
   */
  static fromToken(accessToken: string, credentials?: { clientId?: string; clientSecret?: string }): Authorization {
    return new Authorization(accessToken, credentials?.clientId ?? '', credentials?.clientSecret);
  }

  /** The bearer token. Handle with care: never log it. */
  get accessToken(): string {
    return this.#accessToken;
  }

  /** The client secret, when known. Handle with care: never log it. */
  get clientSecret(): string | undefined {
    return this.#clientSecret;
  }

  /**
   * True when the token's `exp` is at or before `now` + `marginMs`, `now` being this machine's clock
   * corrected by {@link Authorization.clockOffsetMs}. Unknown expiry counts as valid.
   */
  isExpired(now: number = Date.now(), marginMs = 0): boolean {
    return this.expiresAt !== undefined && this.expiresAt <= now + this.clockOffsetMs + marginMs;
  }

  /** Milliseconds the token has left at `now` (this machine's clock), by the server's clock; undefined when its expiry is unknown. */
  remainingMs(now: number = Date.now()): number | undefined {
    return this.expiresAt === undefined ? undefined : this.expiresAt - (now + this.clockOffsetMs);
  }

  /** A safe JSON view: id, scope and expiry, with the secrets redacted. */
  toJSON(): Record<string, unknown> {
    return {
      clientId: this.clientId,
      scope: this.scope,
      expiresAt: this.expiresAt,
      accessToken: REDACTED,
      clientSecret: this.#clientSecret === undefined ? undefined : REDACTED,
    };
  }

  /** `Authorization(client <id>, <scope>)`, without secrets. */
  toString(): string {
    return `Authorization(client ${this.clientId}, ${this.scope ?? 'unknown scope'})`;
  }

  /** @internal Keeps `util.inspect`/`console.log` to the safe view. */
  [INSPECT](): string {
    return `Authorization ${JSON.stringify(this.toJSON())}`;
  }
}
