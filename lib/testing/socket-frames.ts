/**
 * What the server does with one socket frame, apart from the transport: an answer frame, or a
 * silent close (code 1000, empty reason) when handling fails in a way the server does not report.
 * @module
 */
import type { Client } from './clients.js';
import type { ServerContext } from './context.js';
import { ask, bootstrap, close, store, type StackReply } from './stack.js';
import { checkQueryBody, checkStoreBody, isRecord } from './validation.js';

/** @internal */
export type FrameOutcome = { kind: 'answer'; frame: unknown; status: number } | { kind: 'close' };

type EventHandler = (context: ServerContext, client: Client, data: Record<string, unknown>) => StackReply | 'invalid-data' | undefined;

const EVENTS = new Map<string, EventHandler>([
  ['on_init', (_context, client, data) => (checkQueryBody(data).ok ? bootstrap(client) : 'invalid-data')],
  ['on_query', (_context, client, data) => {
    const checked = checkQueryBody(data);
    return checked.ok ? ask(client, checked.value) : 'invalid-data';
  }],
  ['on_store', (context, client, data) => {
    const checked = checkStoreBody(data);
    return checked.ok ? store(client, checked.value, () => context.faults.takeStoreFailure()) : 'invalid-data';
  }],
  ['on_close', (_context, client, data) => (checkQueryBody(data).ok ? close(client) : 'invalid-data')],
]);

const CLOSE: FrameOutcome = { kind: 'close' };
const error = (detail: string): FrameOutcome => ({ kind: 'answer', status: 400, frame: { error: true, status_code: 400, detail } });

/**
 * @internal In order: not JSON → "Invalid data"; not an object, or the client was deactivated →
 * close; unknown event → "Invalid event: X"; `data` not an object → close; `data` failing validation
 * → "Invalid data"; the stack raising (not bootstrapped) → close.
 */
export function handleFrame(context: ServerContext, client: Client, text: string): FrameOutcome {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return error('Invalid data');
  }
  if (!isRecord(message) || !client.active) return CLOSE;
  const event = message.event;
  if (typeof event === 'object' && event !== null) return CLOSE; // unhashable in Python: the lookup raises
  const handler = typeof event === 'string' ? EVENTS.get(event) : undefined;
  if (!handler) return error(`Invalid event: ${pythonStr(event)}`);
  if (!isRecord(message.data)) return CLOSE;
  const outcome = handler(context, client, message.data);
  if (outcome === undefined) return CLOSE;
  if (outcome === 'invalid-data') return error('Invalid data');
  return { kind: 'answer', status: 200, frame: { event, result: outcome } };
}

/** @internal The frame's event for the request log, when it names one. */
export function peekEvent(text: string): string | undefined {
  try {
    const message: unknown = JSON.parse(text);
    return isRecord(message) && typeof message.event === 'string' ? message.event : undefined;
  } catch {
    return undefined;
  }
}

/** How Python's f-string prints a JSON scalar. */
function pythonStr(value: unknown): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}
