/**
 * The log of every HTTP request and socket frame the test server saw, with awaitable matching.
 * @module
 */

/**
 * One HTTP request or socket frame, as the test server saw it.
 * @category Testing
 */
export interface SeenRequest {
  transport: 'http' | 'ws';
  /** The HTTP method ('GET' for the /ws handshake), or 'FRAME' for a socket frame. */
  method: string;
  /** Path without the prefix and without the query string ('/ws' for frames). */
  path: string;
  /** For a frame: its `event` when it is a JSON object naming one as a string. */
  event?: string;
  /**
   * The final status, set when answered: the HTTP status (101 for an accepted handshake), or for a
   * frame 200 / the error frame's status_code. Stays undefined while pending and for frames never
   * answered (silent close, drop).
   */
  status?: number;
  /** Date.now() when it arrived. */
  at: number;
}

interface Waiter {
  predicate: (request: SeenRequest) => boolean;
  resolve: (request: SeenRequest) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** @internal */
export class RequestLog {
  private readonly entries: SeenRequest[] = [];
  private readonly waiters = new Set<Waiter>();

  get all(): readonly SeenRequest[] {
    return [...this.entries];
  }

  /** Logs a new arrival; waiters see it at once (and again when it is settled). */
  record(request: SeenRequest): SeenRequest {
    this.entries.push(request);
    this.notify(request);
    return request;
  }

  settle(request: SeenRequest, status: number): void {
    request.status = status;
    this.notify(request);
  }

  clear(): void {
    this.entries.length = 0;
  }

  waitFor(predicate: (request: SeenRequest) => boolean, timeoutMs = 5000): Promise<SeenRequest> {
    const found = this.entries.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitForRequest: no matching request within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Fails every pending waiter (the server stopped). */
  rejectAll(reason: string): void {
    for (const waiter of this.waiters) this.finish(waiter, () => waiter.reject(new Error(reason)));
  }

  private notify(request: SeenRequest): void {
    for (const waiter of this.waiters) {
      let matched: boolean;
      try {
        matched = waiter.predicate(request);
      } catch (error) {
        this.finish(waiter, () => waiter.reject(error instanceof Error ? error : new Error(String(error))));
        continue;
      }
      if (matched) this.finish(waiter, () => waiter.resolve(request));
    }
  }

  private finish(waiter: Waiter, settle: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    settle();
  }
}
