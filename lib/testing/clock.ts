/**
 * The server's clock: the real one shifted by `clockOffsetSeconds`. Token expiry and the HTTP `Date`
 * header read it; the request log keeps real arrival times.
 * @module
 */

/** @internal */
export class ServerClock {
  constructor(private readonly offsetSeconds: number) {}

  /** The server's time as a Date. */
  now(): Date {
    return new Date(Date.now() + this.offsetSeconds * 1000);
  }

  /** The server's time in whole seconds since the epoch, as JWT claims count it. */
  epochSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** The `Date` header value (RFC 7231 IMF-fixdate, e.g. `Fri, 27 Nov 2026 14:31:36 GMT`). */
  httpDate(): string {
    return this.now().toUTCString();
  }
}
