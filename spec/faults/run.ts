/**
 * One fault-suite row: the hostile servers it starts, the clients and sessions it makes, every call
 * it makes (each raced against a hang deadline), and the five counts the suite keeps per row —
 * hangs, misroutes, duplicate stores, crashes, handles left open.
 */
import { runInThisContext } from 'node:vm';
import type { Observable, Subscription } from 'rxjs';
import { createClient, createSession, KissError, type KissClient, type Session, type SessionActivity } from '../../lib';
import { type HostileHttp, type HostileHttpOptions, startHostileHttp } from './hostile-http';
import { type HostileWs, type HostileWsOptions, startHostileWs } from './hostile-ws';

export type Transport = 'rest' | 'socket';

/** The five counts; every one must be 0. */
export interface Tally {
  hangs: number;
  misroutes: number;
  duplicateStores: number;
  crashes: number;
  handles: number;
}

export type Outcome<T = unknown> =
  | { status: 'ok'; value: T; ms: number }
  | { status: 'error'; error: unknown; ms: number }
  | { status: 'hang'; ms: number };

/** A call's outcome when its answer is an ask's. */
export type AskOutcome = Outcome<{ text: string }> & { question: string };

// ——— crashes: listeners on the real process (jest's sandbox has a copy whose listeners never fire) ———

const realProcess = runInThisContext('process') as NodeJS.Process;
let crashCount = 0;
export const crashLog: string[] = [];
const onCrash = (error: unknown) => {
  crashCount++;
  crashLog.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
};
export function installCrashListeners(): void {
  realProcess.on('unhandledRejection', onCrash);
  realProcess.on('uncaughtException', onCrash);
}
export function removeCrashListeners(): void {
  realProcess.off('unhandledRejection', onCrash);
  realProcess.off('uncaughtException', onCrash);
}

/** Client-side TCP handles that keep the process alive (pooled keep-alive sockets are unref'd and not counted). */
function tcpHandles(): number {
  return realProcess.getActiveResourcesInfo().filter((name) => name.startsWith('TCP') && name !== 'TCPServerWrap').length;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds or `ms` pass; true when it held. */
export async function within(ms: number, check: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(3);
  }
  return true;
}

/** The hang deadline of a call: it only turns a hang into a failure, it is not a speed bound. */
export const HANG_DEADLINE_MS = 4000;

/** How long a row waits, after disposing, for the connections it used to close. */
const SETTLE_MS = 300;

/** A short rendering of an outcome, for failure messages. */
export function show(outcome: Outcome | undefined): string {
  if (!outcome) return 'nothing';
  if (outcome.status === 'hang') return `no settlement within ${HANG_DEADLINE_MS} ms (hang)`;
  if (outcome.status === 'ok') {
    const v = outcome.value as { text?: unknown } | undefined;
    return `success ${JSON.stringify(v && typeof v === 'object' && 'text' in v ? v.text : v)?.slice(0, 80)}`;
  }
  return showError(outcome.error);
}

export function showError(error: unknown): string {
  if (error instanceof KissError) {
    const e = error as KissError & Record<string, unknown>;
    const fields = ['reason', 'closure', 'status', 'retryAfterMs']
      .filter((k) => e[k] !== undefined)
      .map((k) => `${k}=${String(e[k])}`)
      .join(' ');
    return `${e.name}${fields ? `(${fields})` : ''} "${e.message.slice(0, 140)}${e.message.length > 140 ? '…' : ''}"`;
  }
  const e = error as { name?: string; message?: string } | undefined;
  return `${e?.name ?? typeof error} (not a KissError): ${String(e?.message ?? error).slice(0, 140)}`;
}

/** A fault-suite row in progress. */
export class Run {
  private readonly servers: { stop(): Promise<void>; active(): number; connections(): number; duplicates(): number }[] = [];
  private readonly clients: KissClient[] = [];
  private readonly sessions: Session[] = [];
  private readonly pending = new Set<Subscription>();
  private readonly problems: string[] = [];
  private readonly crashesAtStart = crashCount;
  private readonly tcpAtStart = tcpHandles();
  private hangs = 0;
  private misroutes = 0;
  private serial = 0;
  /** Every activity of every session of this row. */
  readonly activity: SessionActivity[] = [];

  constructor(
    readonly fault: string,
    readonly transport: Transport,
  ) {}

  /** A name unique to this row, for questions and documents. */
  name(what: string): string {
    return `${what} #${++this.serial} (${this.fault} / ${this.transport})`;
  }

  /** A file name unique to this row. */
  docName(): string {
    return `doc-${++this.serial}-${this.fault.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-${this.transport}.txt`;
  }

  async http(options?: HostileHttpOptions): Promise<HostileHttp> {
    const server = await startHostileHttp(options);
    this.servers.push({ stop: () => server.stop(), active: () => server.activeConnections, connections: () => server.counts.connections, duplicates: () => server.duplicateStores });
    return server;
  }

  async ws(options?: HostileWsOptions): Promise<HostileWs> {
    const server = await startHostileWs(options);
    this.servers.push({ stop: () => server.stop(), active: () => server.http.activeConnections, connections: () => server.http.counts.connections, duplicates: () => server.http.duplicateStores });
    return server;
  }

  client(options: Record<string, unknown>): KissClient {
    const client = createClient(options as Parameters<typeof createClient>[0]);
    this.clients.push(client);
    return client;
  }

  session(options: Record<string, unknown>): Session {
    const session = createSession(options as Parameters<typeof createSession>[0]);
    this.sessions.push(session);
    session.events$.subscribe({ next: (a) => this.activity.push(a), error: () => undefined });
    return session;
  }

  /** Keeps a client or session made outside `client()`/`session()` for disposal. */
  adopt(thing: KissClient | Session | undefined): void {
    if (!thing) return;
    if ('dispose' in thing) this.clients.push(thing);
    else this.sessions.push(thing);
  }

  /**
   * Subscribes to one call and waits for it to settle, or for the hang deadline. A success of an
   * ask (`question` given) whose text is not `Answer to "<question>"` is counted as a misroute.
   */
  outcome<T>(observable: Observable<T>, question?: string, deadline = HANG_DEADLINE_MS): Promise<Outcome<T>> {
    const started = Date.now();
    return new Promise<Outcome<T>>((resolve) => {
      let done = false;
      let subscription: Subscription | undefined;
      const finish = (outcome: Outcome<T>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (subscription) this.pending.delete(subscription);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        this.hangs++;
        finish({ status: 'hang', ms: Date.now() - started });
      }, deadline);
      try {
        subscription = observable.subscribe({
          next: (value) => {
            if (question !== undefined) {
              const text = (value as { text?: unknown } | undefined)?.text;
              if (text !== `Answer to "${question}"`) this.misroutes++;
            }
            finish({ status: 'ok', value, ms: Date.now() - started });
          },
          error: (error: unknown) => finish({ status: 'error', error, ms: Date.now() - started }),
          complete: () => finish({ status: 'error', error: new Error('completed without a value'), ms: Date.now() - started }),
        });
        if (!done) this.pending.add(subscription);
        else subscription.unsubscribe();
      } catch (error) {
        finish({ status: 'error', error, ms: Date.now() - started });
      }
    });
  }

  /** Asks `question` and tags the outcome with it. */
  async ask(observable: Observable<{ text: string }>, question: string, deadline?: number): Promise<AskOutcome> {
    return Object.assign(await this.outcome(observable, question, deadline), { question });
  }

  /** Records an expectation; the row fails at the end with every unmet one. */
  expect(label: string, outcome: Outcome | undefined, ok: (o: Outcome) => boolean, expected: string): void {
    if (!outcome || !ok(outcome)) this.problems.push(`${label}: expected ${expected}; got ${show(outcome)}`);
  }

  /** Records a plain condition. */
  check(condition: boolean, message: string): void {
    if (!condition) this.problems.push(message);
  }

  /** The unmet expectations so far. */
  get failures(): readonly string[] {
    return this.problems;
  }

  /** Disposes everything, lets connections settle, stops the servers, and returns the counts. */
  async finish(): Promise<Tally> {
    for (const session of this.sessions) {
      try {
        session.close();
      } catch (error) {
        this.problems.push(`session.close() threw ${showError(error)}`);
      }
    }
    // A session's close destroys it on the server: give that a moment to finish.
    await within(1500, () => this.sessions.every((s) => ['destroyed', 'closed', 'failed'].includes(s.state.status)));
    for (const client of this.clients) {
      try {
        client.dispose();
      } catch (error) {
        this.problems.push(`client.dispose() threw ${showError(error)}`);
      }
    }
    for (const subscription of this.pending) subscription.unsubscribe();
    this.pending.clear();
    const connectionsAtDispose = this.servers.reduce((n, s) => n + s.connections(), 0);
    await within(SETTLE_MS, () => this.servers.every((s) => s.active() === 0));
    await sleep(20);
    const serverSide = this.servers.reduce((n, s) => n + s.active(), 0);
    const afterDispose = this.servers.reduce((n, s) => n + s.connections(), 0) - connectionsAtDispose;
    const duplicateStores = this.servers.reduce((n, s) => n + s.duplicates(), 0);
    await Promise.all(this.servers.map((s) => s.stop()));
    await within(SETTLE_MS, () => tcpHandles() <= this.tcpAtStart);
    const clientSide = Math.max(0, tcpHandles() - this.tcpAtStart);
    if (serverSide) this.problems.push(`${serverSide} server-side connection(s) still busy or open after dispose`);
    if (afterDispose) this.problems.push(`${afterDispose} connection(s) opened after the client was disposed`);
    if (clientSide) this.problems.push(`${clientSide} client-side TCP handle(s) left after the servers stopped`);
    return {
      hangs: this.hangs,
      misroutes: this.misroutes,
      duplicateStores,
      crashes: crashCount - this.crashesAtStart,
      handles: serverSide + afterDispose + clientSide,
    };
  }
}
