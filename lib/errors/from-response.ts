/**
 * The one place where an HTTP status, a network failure or a socket error frame becomes a
 * {@link KissError}.
 * @module
 */
import type { TypeOf } from '../protocol/codec.js';
import { errorBodyCodec, validationIssueCodec } from '../protocol/codecs.js';
import { tryParseJson } from '../protocol/decode.js';
import {
  type ErrorContext,
  type FieldIssue,
  HttpError,
  KissError,
  ServerError,
  TransportError,
  type TransportReason,
  UnauthorizedError,
  ValidationError,
} from './kiss-error.js';
import { missingGlobalBehind } from './missing-global.js';
import { previewValue } from './redact.js';

type Issue = TypeOf<typeof validationIssueCodec>;

const toFieldIssue = (issue: Issue): FieldIssue => ({
  location: issue.loc.join('.'),
  message: issue.msg,
  type: issue.type,
});

/**
 * Reads a `Retry-After` header (seconds or an HTTP date) as milliseconds from `now`.
 * @internal
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Maps a non-2xx HTTP answer to its error. The body passes the error-body codec; a body that
 * does not (a 500's plain text, a proxy's HTML page) is kept as a short redacted preview.
 * @internal
 */
export function errorFromHttpResponse(
  status: number,
  bodyText: string,
  context: ErrorContext,
  retryAfter?: string | null,
): HttpError {
  let detail: string | undefined;
  let issues: FieldIssue[] | undefined;
  const body = tryParseJson(bodyText);
  if (errorBodyCodec.is(body)) {
    const d = body.detail;
    if (typeof d === 'string') detail = d;
    else issues = d.map(toFieldIssue);
  } else if (bodyText.trim()) {
    detail = previewValue(bodyText.trim(), 120).replace(/^"|"$/g, '');
  }
  if (status === 401) return new UnauthorizedError(detail, context);
  if (issues) return new ValidationError(status, issues, context);
  if (status === 422) return new ValidationError(status, [], context, detail);
  if (status >= 500) return new ServerError(status, detail, context, parseRetryAfter(retryAfter));
  if (status === 429) return new HttpError(status, detail, context, undefined, parseRetryAfter(retryAfter));
  return new HttpError(status, detail, context);
}

/**
 * Maps a socket error frame (`{ error: true, status_code, detail }`) to its error.
 * @internal
 */
export function errorFromSocketFrame(statusCode: number, detail: string, context: ErrorContext): HttpError {
  if (statusCode === 401) return new UnauthorizedError(detail, context);
  if (/invalid data/i.test(detail)) return new ValidationError(statusCode, [], context, detail);
  if (statusCode >= 500) return new ServerError(statusCode, detail, context);
  return new HttpError(statusCode, detail, context);
}

const CODE_REASONS: Record<string, TransportReason> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ETIMEDOUT: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'closed',
};

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in CODE_REASONS) return code;
    const errors = (e as { errors?: unknown }).errors; // AggregateError from happy-eyeballs
    if (Array.isArray(errors) && errors.length) return errorCode(errors[0]);
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a failed `fetch` (or socket connect) to a {@link TransportError}, keeping the cause.
 * Errors that already are {@link KissError}s pass through; a missing global (`X is not defined`)
 * is a MissingGlobalError naming it, not a network failure.
 * @internal
 */
export function errorFromNetworkFailure(error: unknown, context: ErrorContext): KissError {
  if (error instanceof KissError) return error;
  const missing = missingGlobalBehind(error, context);
  if (missing) return missing;
  const code = errorCode(error);
  const reason: TransportReason = code ? (CODE_REASONS[code] ?? 'unknown') : 'unknown';
  return new TransportError(reason, context, { cause: error, detail: code });
}
