/**
 * The session state machine as a pure function: `(state, event) → state`. The Observable around it
 * (session.ts) only feeds it events and publishes what it returns.
 * @module
 */
import type { KissError } from '../errors/kiss-error.js';

/**
 * Where a session is in its life.
 * @category Session
 */
export type SessionStatus =
  | 'idle'
  | 'authorizing'
  | 'authorized'
  | 'bootstrapping'
  | 'ready'
  | 'busy'
  | 'refreshing'
  | 'reconnecting'
  | 'destroying'
  | 'destroyed'
  | 'closed'
  | 'failed';

/**
 * A session's state, as `state$` emits it.
 * @category Session
 */
export interface SessionState {
  /** Where the session is. */
  readonly status: SessionStatus;
  /** Calls (ask, store) in progress. */
  readonly calls: number;
  /** Whether the stack has been bootstrapped (and not destroyed). */
  readonly bootstrapped: boolean;
  /** Why the session failed, when `status` is `failed`. */
  readonly error?: KissError;
}

/**
 * The kinds of {@link SessionEvent}: a step starting (`authorize`, `bootstrap`, `call`, `refresh`,
 * `destroy`), a step ending (`authorized`, `bootstrapped`, `call-done`, `refreshed`, `destroyed`),
 * the socket going away and coming back (`reconnecting`, `connected`), an `open()` given up before
 * it finished (`cancel`, back to idle), the session released without a destroy (`close`), and
 * failure (`fail`).
 * @category Session
 */
export type SessionEventType =
  | 'authorize'
  | 'authorized'
  | 'bootstrap'
  | 'bootstrapped'
  | 'call'
  | 'call-done'
  | 'refresh'
  | 'refreshed'
  | 'reconnecting'
  | 'connected'
  | 'destroy'
  | 'destroyed'
  | 'cancel'
  | 'close'
  | 'fail';

/**
 * What can happen to a session: the input of {@link transition}.
 * @category Session
 */
export type SessionEvent =
  | {
      /** What happened. */
      type: Exclude<SessionEventType, 'fail'>;
    }
  | {
      /** The session failed. */
      type: 'fail';
      /** Why. */
      error: KissError;
    };

/**
 * Where every session starts.
 * @category Session
 */
export const initialSessionState: SessionState = Object.freeze({ status: 'idle', calls: 0, bootstrapped: false });

/** The state to settle in when nothing transient (refresh, reconnect) is going on. */
function settled(state: SessionState, patch: Partial<SessionState> = {}): SessionState {
  const next = { ...state, ...patch };
  const status: SessionStatus = !next.bootstrapped ? 'authorized' : next.calls > 0 ? 'busy' : 'ready';
  return { status, calls: next.calls, bootstrapped: next.bootstrapped };
}

const LIVE: readonly SessionStatus[] = ['authorized', 'bootstrapping', 'ready', 'busy', 'refreshing', 'reconnecting'];

/**
 * The statuses a session never leaves: `destroyed`, `closed` and `failed`. Its streams complete
 * when it reaches one.
 *
 * @example
 * ```ts
 * if (FINAL_STATUSES.includes(session.state.status)) session = createSession(options);
 * ```
 * @category Session
 */
export const FINAL_STATUSES: readonly SessionStatus[] = ['destroyed', 'closed', 'failed'];

/** While open() runs. */
const OPENING: readonly SessionStatus[] = ['authorizing', 'authorized', 'bootstrapping'];

/**
 * The next state. An event that makes no sense in a state leaves it unchanged (guards.ts refuses
 * such calls before they happen; this keeps the machine total).
 *
 * @example
 * ```ts
 * const s1 = transition(initialSessionState, { type: 'authorize' }); // { status: 'authorizing', … }
 * transition(s1, { type: 'bootstrap' }) === s1; // true: not allowed before authorized
 * ```
 * @category Session
 */
export function transition(state: SessionState, event: SessionEvent): SessionState {
  const { status } = state;
  switch (event.type) {
    case 'authorize':
      return status === 'idle' ? { ...state, status: 'authorizing' } : state;
    case 'authorized':
      return status === 'authorizing' ? settled(state) : state;
    case 'bootstrap':
      return status === 'authorized' || status === 'ready' ? { ...state, status: 'bootstrapping' } : state;
    case 'bootstrapped':
      return status === 'bootstrapping' ? settled(state, { bootstrapped: true }) : state;
    case 'call':
      return status === 'ready' || status === 'busy' || status === 'refreshing' || status === 'reconnecting'
        ? status === 'ready' || status === 'busy'
          ? { ...state, status: 'busy', calls: state.calls + 1 }
          : { ...state, calls: state.calls + 1 }
        : state;
    case 'call-done': {
      if (state.calls === 0) return state;
      const calls = state.calls - 1;
      return status === 'busy' ? settled(state, { calls }) : { ...state, calls };
    }
    case 'refresh':
      return LIVE.includes(status) && status !== 'bootstrapping' && status !== 'refreshing' ? { ...state, status: 'refreshing' } : state;
    case 'refreshed':
      return status === 'refreshing' ? settled(state) : state;
    case 'reconnecting':
      return status === 'ready' || status === 'busy' ? { ...state, status: 'reconnecting' } : state;
    case 'connected':
      return status === 'reconnecting' ? settled(state) : state;
    case 'destroy':
      return LIVE.includes(status) && status !== 'bootstrapping' ? { ...state, status: 'destroying' } : state;
    case 'destroyed':
      return status === 'destroying' ? { status: 'destroyed', calls: 0, bootstrapped: false } : state;
    case 'cancel':
      return OPENING.includes(status) ? initialSessionState : state;
    case 'close':
      return FINAL_STATUSES.includes(status) ? state : { status: 'closed', calls: 0, bootstrapped: false };
    case 'fail':
      return FINAL_STATUSES.includes(status) || status === 'idle'
        ? state
        : { status: 'failed', calls: 0, bootstrapped: false, error: event.error };
  }
}
