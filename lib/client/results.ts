/**
 * The typed values the lifecycle steps emit, built from decoded wire bodies.
 * @module
 */
import { DecodeError, type ErrorContext, NotStoredError } from '../errors/kiss-error.js';
import { previewValue } from '../errors/redact.js';
import { answerExtrasCodec, storeExtrasCodec, type StackResponseBody } from '../protocol/codecs.js';
import { decodeOrThrow } from '../protocol/decode.js';

/**
 * What bootstrap and destroy emit.
 * @category Results
 */
export interface SessionReply {
  /** The stack's id (the client id). */
  readonly stackId: string;
  /** The server's greeting or farewell, e.g. `Greetings!`. */
  readonly message: string | null;
}

/**
 * What ask emits: the answer and, for document-backed answers, what supported it.
 * @category Results
 */
export interface Answer {
  /** The stack's id (the client id). */
  readonly stackId: string;
  /** The question as asked. */
  readonly question: string;
  /** The answer text. */
  readonly text: string;
  /** Metadata of the supporting documents, or null when the answer used none. */
  readonly metadata: readonly unknown[] | null;
  /** Retrieval distances, or null. */
  readonly distances: readonly unknown[] | null;
  /** The supporting document texts, or null. */
  readonly supportingDocuments: readonly unknown[] | null;
}

/**
 * What store emits when the server stored the documents.
 * @category Results
 */
export interface StoreResult {
  /** The stack's id (the client id). */
  readonly stackId: string;
  /** The base names of the files sent. */
  readonly fileNames: readonly string[];
  /** Document ids per server tool, e.g. `{ documents: ['id1'] }`. */
  readonly documentIds: Readonly<Record<string, readonly string[]>>;
  /** Every stored id, flattened. */
  readonly ids: readonly string[];
}

/** @internal */
export function toSessionReply(body: StackResponseBody): SessionReply {
  return { stackId: body.stack_id, message: body.result };
}

/** @internal */
export function toAnswer(body: StackResponseBody, question: string, context: ErrorContext): Answer {
  const extras = decodeOrThrow(answerExtrasCodec, body.extras, { ...context });
  // Every answer names its question: one naming another is somebody else's answer, never ours.
  if (typeof extras?.query === 'string' && extras.query !== question) {
    throw new DecodeError('Answer', 'extras.query', `${previewValue(extras.query)} (an answer to another question)`, context);
  }
  // An answer without text is no answer: never deliver it as an empty success.
  if (typeof body.result !== 'string') throw new DecodeError('Answer', 'result', previewValue(body.result), context);
  return {
    stackId: body.stack_id,
    question,
    text: body.result,
    metadata: extras?.metadata ?? null,
    distances: extras?.distances ?? null,
    supportingDocuments: extras?.supporting_documents ?? null,
  };
}

/** @internal Fails with {@link NotStoredError} for the server's failed-store quirk. */
export function toStoreResult(body: StackResponseBody, fileNames: string[], context: ErrorContext): StoreResult {
  const extras = decodeOrThrow(storeExtrasCodec, body.extras, context);
  if (extras === null) throw new NotStoredError(fileNames, context);
  return { stackId: body.stack_id, fileNames, documentIds: extras, ids: Object.values(extras).flat() };
}
