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
  /** When the token expires, in ms since the epoch, read from its `exp`; `undefined` if unknown. */
  readonly expiresAt: number | undefined;

  /**
   * @param accessToken - the JWT to send as `Authorization: Bearer`
   * @param clientId - the client's id
   * @param clientSecret - the client's secret, when known (needed to refresh)
   * @param scope - the scope asked for, used when the token does not say
   */
  constructor(accessToken: string, clientId: string, clientSecret?: string, scope?: Scope) {
    this.#accessToken = accessToken;
    this.#clientSecret = clientSecret;
    const claims = readTokenClaims(accessToken);
    this.clientId = clientId || claims?.sub || '';
    const claimed = claims?.scope;
    this.scope = claimed === 'temporary' || claimed === 'persistent' ? claimed : scope;
    this.expiresAt = claims?.exp === undefined ? undefined : claims.exp * 1000;
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

  /** True when the token's `exp` is at or before `now` + `marginMs`. Unknown expiry counts as valid. */
  isExpired(now: number = Date.now(), marginMs = 0): boolean {
    return this.expiresAt !== undefined && this.expiresAt <= now + marginMs;
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
