// A seeded property over 10,000 hostile server frames (100 runs × a script of 100 actions): a
// hostile socket server plays an arbitrary mix of correct answers, reordered answers, duplicates,
// garbage, unsolicited answers, answers naming another event or question, error frames and
// closes, against one socket client with many asks in flight. The property: no ask ever succeeds
// with an answer other than `Answer to "<its question>"`, and every ask settles.
import fc from 'fast-check';
import { createClient, type Authorization, type KissClient } from '../../lib';
import { answerFrame, type HostileSocket, type HostileWs, type ReceivedFrame, startHostileWs } from './hostile-ws';
import { installCrashListeners, removeCrashListeners, crashLog } from './run';
import { socketTransport } from '../../lib/socket';

jest.setTimeout(120_000);

const SEED = 20_251_127;
const RUNS = 100;
const FRAMES_PER_RUN = 100;
/** Asks kept in flight at once. */
const CONCURRENCY = 24;
/** A run whose asks have not all settled by then has hung. */
const RUN_DEADLINE_MS = 8000;

type Action =
  | { kind: 'answer' }
  | { kind: 'reorder'; k: number }
  | { kind: 'duplicate' }
  | { kind: 'garbage' }
  | { kind: 'unsolicited' }
  | { kind: 'wrong-event' }
  | { kind: 'wrong-query' }
  | { kind: 'error'; status: number }
  | { kind: 'close'; code: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Action>({ kind: 'answer' }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 20 }).map((k): Action => ({ kind: 'reorder', k })) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'duplicate' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'garbage' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'unsolicited' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'wrong-event' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'wrong-query' }) },
  { weight: 1, arbitrary: fc.constantFrom(400, 500, 503).map((status): Action => ({ kind: 'error', status })) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 1001, 1006, 1011, 4000).map((code): Action => ({ kind: 'close', code })) },
);
const scriptArb = fc.array(actionArb, { minLength: FRAMES_PER_RUN, maxLength: FRAMES_PER_RUN });

/** Plays one script: one action per step, on whichever socket is current; then answers correctly. */
class Player {
  private script: Action[] = [];
  private step = 0;
  private socket: HostileSocket | undefined;
  private pending: ReceivedFrame[] = [];
  private lastSent: object | undefined;
  private scheduled = false;
  played = 0;

  load(script: Action[]): void {
    this.script = script;
    this.step = 0;
    this.played = 0;
    this.socket = undefined;
    this.pending = [];
    this.lastSent = undefined;
  }

  get done(): boolean {
    return this.step >= this.script.length;
  }

  frame(frame: ReceivedFrame, socket: HostileSocket): void {
    if (socket !== this.socket) {
      // A new socket: what the old one was owed is forgotten (the server dropped it).
      this.socket = socket;
      this.pending = [];
    }
    this.pending.push(frame);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const socket = this.socket;
    if (!socket?.open) return;
    if (this.done) {
      for (const frame of this.pending.splice(0)) this.send(socket, socket.reply(frame));
      return;
    }
    const action = this.script[this.step]!;
    const needsFrame = ['answer', 'reorder', 'error', 'wrong-event', 'wrong-query'].includes(action.kind);
    if (needsFrame && this.pending.length === 0) return; // wait for the client
    this.step++;
    this.played++;
    this.perform(action, socket);
    if (action.kind !== 'close') this.schedule();
  }

  private perform(action: Action, socket: HostileSocket): void {
    switch (action.kind) {
      case 'answer':
        return this.send(socket, socket.reply(this.pending.shift()!));
      case 'reorder': {
        const index = Math.min(action.k, this.pending.length - 1);
        const [frame] = this.pending.splice(index, 1);
        return this.send(socket, socket.reply(frame!));
      }
      case 'duplicate':
        return this.send(socket, this.lastSent ?? answerFrame(socket.clientId, 'a question nobody asked'));
      case 'garbage':
        return socket.send('}{ not JSON at all');
      case 'unsolicited':
        return this.send(socket, answerFrame(socket.clientId, `a question nobody asked ${this.step}`));
      case 'wrong-event': {
        const reply = socket.reply(this.pending.shift()!) as { event?: string };
        return this.send(socket, { ...reply, event: reply.event === 'on_store' ? 'on_query' : 'on_store' });
      }
      case 'wrong-query': {
        const frame = this.pending.shift()!;
        const reply = socket.reply(frame) as { result?: { extras?: object } };
        return this.send(socket, { ...reply, result: { ...reply.result, extras: { ...(reply.result?.extras ?? {}), query: `not ${frame.query}` } } });
      }
      case 'error':
        this.pending.shift();
        return this.send(socket, { error: true, status_code: action.status, detail: action.status === 400 ? 'Invalid data' : 'Service Unavailable' });
      case 'close':
        this.pending = [];
        return socket.close(action.code);
    }
  }

  private send(socket: HostileSocket, frame: object): void {
    this.lastSent = frame;
    socket.send(frame);
  }
}

interface RunStats {
  asks: number;
  right: number;
  wrong: number;
  failed: number;
  unsettled: number;
  played: number;
}

const totals = { runs: 0, asks: 0, right: 0, wrong: 0, failed: 0, unsettled: 0, played: 0 };
const player = new Player();
let server: HostileWs;
let auth: Authorization;

async function playOnce(script: Action[]): Promise<RunStats> {
  player.load(script);
  const client: KissClient = createClient({
    url: server.url,
    transport: socketTransport,
    timeout: 0, // no per-call timeout: an ask that never settles is a hang, not a KissTimeoutError
    socket: { reconnectDelay: 1, maxReconnectDelay: 10, reconnectAttempts: 5, idleTimeout: 2000, pingInterval: 0, maxInFlight: 32 },
  });
  const stats: RunStats = { asks: 0, right: 0, wrong: 0, failed: 0, unsettled: 0, played: 0 };
  const inFlight = new Set<Promise<void>>();
  const subscriptions: { unsubscribe(): void }[] = [];
  const started = Date.now();
  let n = 0;
  const askOne = () => {
    const question = `fuzz question ${totals.runs}.${n++}`;
    stats.asks++;
    const settled = new Promise<void>((resolve) => {
      subscriptions.push(
        client.ask(auth, question).subscribe({
          next: (answer) => {
            if (answer.text === `Answer to "${question}"`) stats.right++;
            else stats.wrong++;
            resolve();
          },
          error: () => {
            stats.failed++;
            resolve();
          },
        }),
      );
    });
    const tracked = settled.then(() => void inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  // Keep asks in flight until the whole script has been played (bounded, in case the client stalls).
  while (!player.done && Date.now() - started < RUN_DEADLINE_MS && stats.asks < 2000) {
    while (inFlight.size < CONCURRENCY) askOne();
    await race([...inFlight], 50);
  }
  if ((await race([Promise.all(inFlight)], Math.max(500, RUN_DEADLINE_MS - (Date.now() - started)))) === 'late') stats.unsettled = inFlight.size;
  for (const s of subscriptions) s.unsubscribe();
  client.dispose();
  stats.played = player.played;
  return stats;
}

/** Waits for the first of `promises`, or `ms`; 'late' when the time ran out. The timer is always cleared. */
async function race(promises: Promise<unknown>[], ms: number): Promise<'settled' | 'late'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    return await Promise.race([...promises.map((p) => p.then(() => 'settled' as const)), late]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  installCrashListeners();
  server = await startHostileWs({ behavior: { onFrame: (frame, socket) => player.frame(frame, socket) } });
  const rest = createClient({ url: server.url });
  auth = await new Promise<Authorization>((resolve, reject) => rest.authorize({ scope: 'temporary' }).subscribe({ next: resolve, error: reject }));
});

afterAll(async () => {
  removeCrashListeners();
  await server?.stop();
  console.log(
    `fuzz (seed ${SEED}): ${totals.runs} runs, ${totals.played} hostile frames played, ${totals.asks} asks: ` +
      `${totals.right} right, ${totals.failed} failed, ${totals.wrong} wrong successes, ${totals.unsettled} never settled` +
      (crashLog.length ? `; crashes: ${crashLog.join(' | ')}` : ''),
  );
});

it(`no ask succeeds with another ask's answer, and every ask settles (seed ${SEED}, ${RUNS} runs × ${FRAMES_PER_RUN} frames)`, async () => {
  const crashesBefore = crashLog.length;
  await fc.assert(
    fc.asyncProperty(scriptArb, async (script) => {
      const stats = await playOnce(script);
      totals.runs++;
      totals.asks += stats.asks;
      totals.right += stats.right;
      totals.wrong += stats.wrong;
      totals.failed += stats.failed;
      totals.unsettled += stats.unsettled;
      totals.played += stats.played;
      if (stats.wrong > 0 || stats.unsettled > 0) {
        throw new Error(
          `${stats.wrong} wrong success(es), ${stats.unsettled} unsettled ask(s) after playing ${stats.played} of ${script.length} actions: ` +
            script.map((a) => a.kind + ('code' in a ? a.code : 'status' in a ? a.status : 'k' in a ? a.k : '')).join(' '),
        );
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  expect(totals.wrong).toBe(0);
  expect(totals.unsettled).toBe(0);
  expect(crashLog.length - crashesBefore).toBe(0);
  // the script was really played, not skipped
  expect(totals.played).toBeGreaterThanOrEqual(RUNS * FRAMES_PER_RUN * 0.95);
});
