/**
 * What a session reports on `events$`, and how those events reach a logger. No event carries a
 * token or a client secret.
 * @module
 */
import type { StoreProgress } from '../documents/progress.js';
import type { KissErrorKind, Step } from '../errors/kiss-error.js';
import { redactValue } from '../errors/redact.js';
import type { SessionState } from './session-state.js';

/**
 * Everything a session reports.
 * @category Session
 */
export type SessionActivity =
  | {
      /** The session changed state. */
      type: 'state';
      /** The new state. */
      state: SessionState;
    }
  | {
      /** A request went out. */
      type: 'request-sent';
      /** Its step. */
      step: Step;
      /** Its attempt: 1 for the first. */
      attempt: number;
    }
  | {
      /** A request got its answer. */
      type: 'request-answered';
      /** Its step. */
      step: Step;
      /** From the first send to the answer, retries included, in ms. */
      durationMs: number;
    }
  | {
      /** A request failed for good. */
      type: 'request-failed';
      /** Its step. */
      step: Step;
      /** The error's kind. */
      kind: KissErrorKind;
      /** The error's message (never holds a secret). */
      message: string;
    }
  | {
      /** A retry is scheduled. */
      type: 'retry-scheduled';
      /** The step being retried. */
      step: Step;
      /** Which retry: 1 for the first. */
      attempt: number;
      /** Wait before it, in ms. */
      delayMs: number;
      /** The error's kind. */
      kind: KissErrorKind;
    }
  | {
      /** A fresh token was minted. */
      type: 'token-refreshed';
      /** Why: shortly before expiry, after a 401, or after a refused socket handshake. */
      reason: 'proactive' | 'expired' | 'handshake';
      /** When the new token expires, in ms since the epoch. */
      expiresAt: number | undefined;
    }
  | {
      /** A socket opened. */
      type: 'socket-connected';
    }
  | {
      /** A reconnect is scheduled. */
      type: 'socket-reconnecting';
      /** Failed attempts so far. */
      attempt: number;
      /** Wait before the next attempt, in ms. */
      delayMs: number;
    }
  | {
      /** A socket closed. */
      type: 'socket-closed';
      /** Its close code. */
      code: number;
      /** Who closed it. */
      by: 'client' | 'server' | 'drop';
    }
  | ({
      /** A store sent more of its documents: bytes per document and overall (see {@link StoreProgress}). Throttled to about one per 1% of the total, plus one per completed document; the last one of a store is 100%. */
      type: 'store-progress';
    } & StoreProgress)
  | {
      /** A store too large for one socket frame went over REST instead. */
      type: 'store-over-rest';
      /** The size its frame would have had, in bytes. */
      bytes: number;
      /** The socket's frame limit, in bytes. */
      limit: number;
    };

/**
 * Log levels, least to most severe.
 * @category Session
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where a session's log lines go; `console` fits.
 *
 * @example
 * ```ts
 * openSession({ url, logger: console, logLevel: 'info' });
 * ```
 * @category Session
 */
export type Logger = Partial<Record<LogLevel, (message: string, data?: unknown) => void>>;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The level each activity is logged at. */
function levelOf(activity: SessionActivity): LogLevel {
  switch (activity.type) {
    case 'request-sent':
    case 'request-answered':
    case 'store-progress':
    case 'state':
      return activity.type === 'state' && activity.state.status === 'failed' ? 'error' : 'debug';
    case 'token-refreshed':
    case 'socket-connected':
    case 'socket-closed':
    case 'store-over-rest':
      return 'info';
    case 'retry-scheduled':
    case 'socket-reconnecting':
      return 'warn';
    case 'request-failed':
      return 'error';
  }
}

/**
 * Sends an activity to the logger when its level is at or above `minimum`. The data is redacted
 * once more on the way out, in case a future event grows a field it should not have.
 * @internal
 */
export function logActivity(logger: Logger | undefined, minimum: LogLevel | 'silent', activity: SessionActivity): void {
  if (!logger || minimum === 'silent') return;
  const level = levelOf(activity);
  if (LEVELS.indexOf(level) < LEVELS.indexOf(minimum)) return;
  const { type, ...data } = activity;
  logger[level]?.(`kiss-ai-stack-rx: ${type}`, redactValue(data));
}
