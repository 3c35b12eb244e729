/**
 * Scripted answers: a test's own function answers the asks, in place of the deterministic echo,
 * and the server puts what it returns on the wire exactly as the real server shapes an answer.
 * @module
 */

/**
 * One document a client's stack holds, as an {@link AnswerScript} sees it.
 * @category Testing
 */
export interface TestDocument {
  /** The document id the store answered with. */
  readonly id: string;
  /** Its base name. */
  readonly name: string;
  /** Its content, decoded as UTF-8. */
  readonly text: string;
  /** The metadata it was stored with (`{}` when none). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * What an {@link AnswerScript} is asked.
 * @category Testing
 */
export interface QuestionAsked {
  /** The question, as sent (the body's `query`). */
  readonly question: string;
  /** The documents the asking client's stack holds, oldest first: a frozen snapshot. */
  readonly documents: readonly TestDocument[];
  /** The asking client's id (also its `stack_id`). */
  readonly clientId: string;
  /** `http` for `POST /queries`, `ws` for an `on_query` frame. */
  readonly transport: 'http' | 'ws';
}

/**
 * One supporting document of a scripted answer.
 * @category Testing
 */
export interface SupportingDocument {
  /** Its text (an entry of `supporting_documents`). */
  text: string;
  /** Its metadata (an entry of `metadata`). @default null */
  metadata?: Record<string, unknown> | null;
  /** Its retrieval distance (an entry of `distances`). @default its position from 1, divided by 10: 0.1, 0.2, … */
  distance?: number;
}

/**
 * A scripted answer: its text, and the documents that back it.
 * @category Testing
 */
export interface ScriptedAnswer {
  /** The answer (the reply's `result`). */
  text: string;
  /**
   * The documents that back it. Given (even empty), `extras` carries them as the real server does,
   * one list per question: `metadata: [[…]]`, `distances: [[…]]`, `supporting_documents: [[…]]`.
   * @default undefined: those three are null, as for an answer not backed by documents
   */
  documents?: readonly SupportingDocument[];
}

/**
 * Answers the asks of a test server (its `answer` option, or `setAnswer`), REST and socket alike.
 * It gets the question and the documents stored so far, and returns, now or through a promise:
 * - a string: the answer text, not backed by documents;
 * - a {@link ScriptedAnswer}: the text and its supporting documents;
 * - `undefined`: the default answer (`Answer to "<question>"`, naming every stored document).
 *
 * A script that throws or rejects (or returns anything else) plays a stack that raised: the server
 * answers a 500 `Internal Server Error` over REST and closes the connection, and closes the socket
 * silently (code 1000), as the real server does; the request log keeps what it threw in
 * {@link SeenRequest.answerError}. It is only called for an ask the server would answer: never
 * before bootstrap, nor after a temporary client's close. Over the socket, later frames wait for it.
 *
 * @example
 * ```ts
 * const server = await startTestServer({
 *   answer: async ({ question, documents }) => {
 *     const handbook = documents.find((d) => d.name === 'handbook.txt');
 *     if (!handbook) return 'I know nothing yet.';
 *     if (/leave/.test(question)) return { text: '25 days', documents: [{ text: handbook.text, metadata: { page: 4 } }] };
 *     return undefined; // the default echo
 *   },
 * });
 * ```
 * @category Testing
 */
export type AnswerScript = (question: QuestionAsked) => string | ScriptedAnswer | undefined | Promise<string | ScriptedAnswer | undefined>;

/** @internal `extras` of an answer: the question, then the three lists or nulls. */
export interface AnswerExtras {
  query: string;
  metadata: unknown[] | null;
  distances: unknown[] | null;
  supporting_documents: unknown[] | null;
}

/** @internal The answer a script gave, as the text and `extras` of the reply; throws when it is not one. */
export function scriptedReply(question: string, answer: string | ScriptedAnswer): { text: string; extras: AnswerExtras } {
  if (typeof answer === 'string') return { text: answer, extras: answerExtras(question, undefined) };
  if (typeof answer !== 'object' || answer === null || typeof answer.text !== 'string') {
    throw new TypeError('An AnswerScript must return a string, { text, documents? } or undefined.');
  }
  if (answer.documents !== undefined && !Array.isArray(answer.documents)) throw new TypeError('ScriptedAnswer.documents must be an array.');
  return { text: answer.text, extras: answerExtras(question, answer.documents) };
}

/** @internal The extras of an answer backed by `documents` (null lists when there are none). */
export function answerExtras(question: string, documents: readonly SupportingDocument[] | undefined): AnswerExtras {
  if (!documents) return { query: question, metadata: null, distances: null, supporting_documents: null };
  return {
    query: question,
    metadata: [documents.map((d) => d.metadata ?? null)],
    distances: [documents.map((d, i) => d.distance ?? (i + 1) / 10)],
    supporting_documents: [documents.map((d) => d.text)],
  };
}
