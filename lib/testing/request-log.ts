/**
 * The log of every HTTP request and socket frame the test server saw, with awaitable matching.
 * @module
 */
import type { AnswerScript } from './answers.js';
import { frozenCopy } from './frozen.js';
import { checkQueryBody, checkStoreBody } from './validation.js';

/**
 * One HTTP request or socket frame, as the test server saw it: where it went, how it was answered,
 * and what it asked (the question of an ask, the file names and metadata of a store). Tokens,
 * client secrets and document contents are never kept: nothing of an `/auth` body, no header.
 *
 * @example
 * ```ts
 * await firstValueFrom(session.ask('What is KISS?'));
 * await firstValueFrom(session.store([new File(['...'], 'notes.txt')], { metadata: { team: 'docs' } }));
 * expect(server.requests.filter((r) => r.question !== undefined).map((r) => r.question)).toEqual(['What is KISS?']);
 * expect(server.requests.find((r) => r.files)).toMatchObject({ files: ['notes.txt'], metadata: { team: 'docs' } });
 * ```
 * @category Testing
 */
export interface SeenRequest {
  /** `http` for an HTTP request (the /ws handshake included), `ws` for a socket frame. */
  transport: 'http' | 'ws';
  /** The HTTP method ('GET' for the /ws handshake), or 'FRAME' for a socket frame. */
  method: string;
  /** Path without the prefix and without the query string ('/ws' for frames). */
  path: string;
  /** For a frame: its `event` when it is a JSON object naming one as a string. */
  event?: string;
  /**
   * For an ask (`POST /queries`, or an `on_query` frame) whose body holds a string `query`: that
   * question, as sent. Set once the body is read (a waiter sees it then), whatever the answer was
   * (a 401 or an injected failure too), so a test can count how often a question was sent.
   */
  question?: string;
  /**
   * For a store (`POST /documents`, or an `on_store` frame) whose body is a valid store: the
   * names of its files, as sent and in order (the server keeps their base names). Never their
   * contents.
   */
  files?: readonly string[];
  /** For a store, with `files`: its metadata, a frozen copy (`{}` when the request had none). */
  metadata?: Readonly<Record<string, unknown>>;
  /**
   * For an ask answered by an {@link AnswerScript} that threw or rejected (the server then answered
   * as when its stack raises: a 500, or over the socket a silent close): what it threw.
   */
  answerError?: unknown;
  /**
   * The final status, set when answered: the HTTP status (101 for an accepted handshake), or for a
   * frame 200 / the error frame's status_code. Stays undefined while pending and for frames never
   * answered (silent close, drop).
   */
  status?: number;
  /** Date.now() when it arrived. */
  at: number;
}

/** @internal What a request asked, as the log keeps it. */
export type RequestDetails = Pick<SeenRequest, 'question' | 'files' | 'metadata' | 'answerError'>;

/**
 * @internal The details of a body sent to `route` (`/queries` or `/documents`, the socket's
 * `on_query` or `on_store`), when it holds them: nothing of any other body.
 */
export function requestDetails(route: 'ask' | 'store' | undefined, body: unknown): RequestDetails {
  if (route === 'ask') {
    const checked = checkQueryBody(body);
    return checked.ok ? { question: checked.value.query } : {};
  }
  if (route === 'store') {
    const checked = checkStoreBody(body);
    if (!checked.ok) return {};
    return { files: Object.freeze(checked.value.files.map((file) => file.name)), metadata: frozenCopy(checked.value.metadata) };
  }
  return {};
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

  /** Adds what a request asked, once its body is read; waiters see it at once. */
  describe(request: SeenRequest, details: RequestDetails): void {
    Object.assign(request, details);
    if (Object.keys(details).length > 0) this.notify(request);
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
