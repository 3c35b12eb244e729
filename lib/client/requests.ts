/**
 * Checking a call's arguments before anything is sent, and building its wire body.
 * @module
 */
import { Authorization } from '../auth/authorization.js';
import { type ErrorContext, SessionMisuseError } from '../errors/kiss-error.js';
import { type DocumentSource, toWireFiles } from '../documents/document-source.js';
import type { AuthRequestBody, DocumentsBody, QueryBody, Scope } from '../protocol/codecs.js';

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

/** @internal */
export async function documentsBody(
  documents: DocumentSource | readonly DocumentSource[],
  metadata: Record<string, unknown> | undefined,
  context: ErrorContext,
): Promise<DocumentsBody> {
  const meta = metadata ?? {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new SessionMisuseError('store metadata must be a plain object.', context);
  }
  return { files: await toWireFiles(documents, context), metadata: meta };
}
