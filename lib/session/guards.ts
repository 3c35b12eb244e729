/**
 * Refusing calls that make no sense in the session's state, before anything is sent: a clear
 * misuse error instead of the server's 500 or its silent socket close.
 * @module
 */
import { SessionMisuseError, type Step } from '../errors/kiss-error.js';
import type { SessionState } from './session-state.js';

/** What a session can be asked to do. */
export type SessionOperation = 'open' | Exclude<Step, 'authorize' | 'bootstrap'>;

/**
 * The misuse error for `operation` in `state`, or undefined when it is allowed.
 * @internal
 */
export function refuse(state: SessionState, operation: SessionOperation): SessionMisuseError | undefined {
  const context = { step: operation === 'open' ? ('bootstrap' as const) : operation };
  const { status } = state;
  if (status === 'destroyed' || status === 'destroying') {
    return new SessionMisuseError(`Cannot ${operation}: this session was destroyed. Open a new session.`, context);
  }
  if (status === 'closed') {
    return new SessionMisuseError(`Cannot ${operation}: this session was closed. Open a new session.`, context);
  }
  if (status === 'failed') {
    return new SessionMisuseError(`Cannot ${operation}: this session failed (${state.error?.message ?? 'unknown error'}). Open a new session.`, context);
  }
  if (operation === 'open') {
    if (status === 'idle') return undefined;
    return new SessionMisuseError(
      status === 'authorizing' || status === 'bootstrapping'
        ? 'This session is already opening; wait for open() to emit instead of calling it again.'
        : 'This session is already open; call ask, store or destroy.',
      context,
    );
  }
  if (!state.bootstrapped) {
    return new SessionMisuseError(
      `Cannot ${operation} before the session is bootstrapped: call open() and wait for it to emit first.`,
      context,
    );
  }
  return undefined;
}
