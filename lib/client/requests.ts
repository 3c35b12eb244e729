/**
 * Checking a call's arguments before anything is sent, and building its wire body.
 * @module
 */
import { Authorization } from '../auth/authorization.js';
import { type ErrorContext, SessionMisuseError } from '../errors/kiss-error.js';
import { type DocumentSource, prepareDocuments } from '../documents/document-source.js';
import { DocumentsPayload } from '../documents/documents-body.js';
import type { StoreProgress } from '../documents/progress.js';
import type { AuthRequestBody, QueryBody, Scope } from '../protocol/codecs.js';

/**
 * How to authorize: a `scope` for a new client, or the id and secret of an active one to mint a
 * fresh token for it.
 * @category Client
 */
export type AuthorizeRequest =
  | {
      /** `temporary` (ends at destroy) or `persistent` (survives destroy). */
      scope: Scope;
    }
  | {
      /** The id from an earlier authorization. */
      clientId: string;
      /** The secret from the same authorization. */
      clientSecret: string;
    };

/** @internal */
export function authorizeBody(request: AuthorizeRequest, context: ErrorContext): AuthRequestBody {
  if (request && 'scope' in request) {
    if (request.scope !== 'temporary' && request.scope !== 'persistent') {
      throw new SessionMisuseError(`Unknown scope "${String(request.scope)}"; use 'temporary' or 'persistent'.`, context);
    }
    return { scope: request.scope };
  }
  const { clientId, clientSecret } = (request ?? {}) as { clientId?: unknown; clientSecret?: unknown };
  if (typeof clientId === 'string' && clientId && typeof clientSecret === 'string' && clientSecret) {
    return { client_id: clientId, client_secret: clientSecret };
  }
  throw new SessionMisuseError('authorize needs either { scope } or both { clientId, clientSecret }.', context);
}

/** @internal The bearer token of an authorization, or a misuse error. */
export function requireToken(auth: Authorization, context: ErrorContext): string {
  if (!(auth instanceof Authorization) || !auth.accessToken) {
    throw new SessionMisuseError(`${context.step} needs the Authorization emitted by authorize(); call authorize first.`, context);
  }
  return auth.accessToken;
}

/** @internal */
export function questionBody(question: string, context: ErrorContext): QueryBody {
  if (typeof question !== 'string' || !question.trim()) {
    throw new SessionMisuseError('ask needs a non-empty question string.', context);
  }
  return { query: question };
}

/**
 * A store's body: every document checked (a missing file, an oversized document fail here, before
 * anything is sent) but not read; it is read in chunks as the body is written.
 * @internal
 */
export async function documentsBody(
  documents: DocumentSource | readonly DocumentSource[],
  metadata: Record<string, unknown> | undefined,
  context: ErrorContext,
  maxDocumentBytes?: number,
  onProgress?: (progress: StoreProgress) => void,
): Promise<DocumentsPayload> {
  const meta = metadata ?? {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new SessionMisuseError('store metadata must be a plain object.', context);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new SessionMisuseError('The onProgress option must be a function, such as (p) => render(p.bytesSent / p.totalBytes).', context);
  }
  return new DocumentsPayload(await prepareDocuments(documents, context, maxDocumentBytes), meta, context, onProgress);
}

/**
 * A timeout option's value, or a misuse error naming the option: a finite number of milliseconds,
 * 0 or more (0 disables).
 * @internal
 */
export function checkTimeout(value: unknown, option: string, context: ErrorContext): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SessionMisuseError(
      `The ${option} option must be a number of milliseconds, 0 or more (0 disables it), not ${typeof value === 'string' ? `"${value}"` : String(value)}.`,
      context,
    );
  }
  return value;
}

/** @internal The per-call options, checked: an object (or nothing), a valid timeout, an AbortSignal. */
export function checkCallOptions(options: unknown, context: ErrorContext): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new SessionMisuseError(`Call options must be an object such as { timeout: 5000 }, not ${options === null ? 'null' : typeof options}.`, context);
  }
  const { timeout, attemptTimeout, signal } = options as { timeout?: unknown; attemptTimeout?: unknown; signal?: unknown };
  checkTimeout(timeout, 'timeout', context);
  checkTimeout(attemptTimeout, 'attemptTimeout', context);
  if (signal !== undefined && (signal === null || typeof (signal as AbortSignal).addEventListener !== 'function')) {
    throw new SessionMisuseError('The signal option must be an AbortSignal.', context);
  }
}
