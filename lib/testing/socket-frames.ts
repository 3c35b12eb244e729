/**
 * What the server does with one socket frame, apart from the transport: an answer frame, an error
 * frame, or a silent close (code 1000, empty reason) when handling raises something the server's
 * loop does not catch. The steps follow the server's handler line by line (see {@link handleFrame}).
 * @module
 */
import type { Client } from './clients.js';
import type { ServerContext } from './context.js';
import { parsePythonJson, toJs } from './python-json.js';
import { pythonStr } from './python-repr.js';
import { requestDetails, type RequestDetails } from './request-log.js';
import { ask, bootstrap, close, store, type StackReply } from './stack.js';
import { checkQueryBody, checkStoreBody, isRecord } from './validation.js';

/** @internal */
export type FrameOutcome = { kind: 'answer'; frame: unknown; status: number } | { kind: 'close' };

/** @internal One received frame: text, or binary (which the server never reads as JSON). */
export type ReceivedFrame = { binary: false; text: string } | { binary: true };

/** `undefined`: the handler raised. An ask answered by the test's script comes as a promise. */
type EventHandler = (
  context: ServerContext,
  client: Client,
  data: Record<string, unknown>,
  onAnswerError: (error: unknown) => void,
) => StackReply | 'invalid-data' | undefined | Promise<StackReply | undefined>;

const queryEvent =
  (run: (client: Client, query: string, context: ServerContext, onAnswerError: (error: unknown) => void) => ReturnType<EventHandler>): EventHandler =>
  (context, client, data, onAnswerError) => {
    const checked = checkQueryBody(data);
    return checked.ok ? run(client, checked.value.query, context, onAnswerError) : 'invalid-data';
  };

/**
 * Every value of the server's event enum. `on_auth` is one: its data is read as a query body, then
 * the auth handler raises on it (a query body has no scope), which closes the socket.
 */
const EVENTS = new Map<string, EventHandler>([
  ['on_init', queryEvent((client) => bootstrap(client))],
  ['on_query', queryEvent((client, query, context, onScriptError) => ask(client, { query }, { script: context.answers.script, transport: 'ws', onScriptError }))],
  ['on_close', queryEvent((client) => close(client))],
  ['on_auth', queryEvent(() => undefined)],
  ['on_store', (context, client, data) => {
    const checked = checkStoreBody(data);
    return checked.ok ? store(client, checked.value, () => context.faults.takeStoreFailure()) : 'invalid-data';
  }],
]);

/** The events whose frames the request log describes (see {@link requestDetails}). */
const LOGGED_EVENTS = new Map<string, 'ask' | 'store'>([
  ['on_query', 'ask'],
  ['on_store', 'store'],
]);

const CLOSE: FrameOutcome = { kind: 'close' };
const error = (detail: string): FrameOutcome => ({ kind: 'answer', status: 400, frame: { error: true, status_code: 400, detail } });

/**
 * @internal In the server's order:
 * 1. a binary frame → close (`receive_json` reads the text part only);
 * 2. not JSON → "Invalid data";
 * 3. JSON but not an object → close (`.get` on it raises);
 * 4. `event` missing or not one of the enum's values → "Invalid event: X", X rendered by Python's
 *    `str()` (`None`, `{'a': 1}`, `[1, 2]`, `True`);
 * 5. `data` missing counts as `{}`; present but not an object (null, a list, a string, a number)
 *    → close (`**data` raises);
 * 6. `data` failing validation for the event → "Invalid data";
 * 7. the handler raising (asking before bootstrap, anything but a store once a temporary client
 *    closed, `on_auth`) → close. A store never raises.
 *
 * An ask answered by the test's answer script is answered once the script is (a promise then);
 * `onAnswerError` is told what a script threw.
 */
export function handleFrame(
  context: ServerContext,
  client: Client,
  frame: ReceivedFrame,
  onAnswerError: (error: unknown) => void,
): FrameOutcome | Promise<FrameOutcome> {
  if (frame.binary) return CLOSE;
  const message = parseJson(frame.text);
  if (message === undefined) return error('Invalid data');
  if (!isRecord(message.value)) return CLOSE;
  const event = message.value.event;
  const handler = typeof event === 'string' ? EVENTS.get(event) : undefined;
  if (!handler) return error(`Invalid event: ${renderEvent(event, frame.text)}`);
  const name = event as string; // a handler was found for it
  const data = 'data' in message.value ? message.value.data : {};
  if (!isRecord(data)) return CLOSE;
  const outcome = handler(context, client, data, onAnswerError);
  return outcome instanceof Promise ? outcome.then((answered) => frameOutcome(name, answered)) : frameOutcome(name, outcome);
}

function frameOutcome(event: string, outcome: StackReply | 'invalid-data' | undefined): FrameOutcome {
  if (outcome === undefined) return CLOSE;
  if (outcome === 'invalid-data') return error('Invalid data');
  return { kind: 'answer', status: 200, frame: { event, result: outcome } };
}

/**
 * @internal The frame for the request log: its event, when it is a JSON object naming one as a
 * string, and for an ask or a store what it asked (see {@link requestDetails}).
 */
export function describeFrame(frame: ReceivedFrame): { event?: string; details: RequestDetails } {
  if (frame.binary) return { details: {} };
  const message = parseJson(frame.text)?.value;
  if (!isRecord(message) || typeof message.event !== 'string') return { details: {} };
  const data = 'data' in message ? message.data : {};
  return { event: message.event, details: requestDetails(LOGGED_EVENTS.get(message.event), data) };
}

/** JSON.parse, falling back to the Python reading for what only Python accepts (NaN, Infinity). */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    const value = parsePythonJson(text);
    return value === undefined ? undefined : { value: toJs(value) };
  }
}

/** A string event as is; anything else re-read the Python way to render it as Python would. */
function renderEvent(event: unknown, text: string): string {
  if (typeof event === 'string') return event;
  const message = parsePythonJson(text);
  const value = message?.kind === 'dict' ? message.entries.get('event') : undefined;
  return value ? pythonStr(value) : 'None';
}
