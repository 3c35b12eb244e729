/**
 * An answer's supporting documents as typed sources, for templates: the server sends the texts,
 * their metadata and their distances as three untyped lists; this zips them.
 * @module
 */
import type { Answer } from 'kiss-ai-stack-rx';

/**
 * One document that supported an answer, as {@link answerSources} gives it.
 *
 * @example
 * ```ts
 * const nearest: AnswerSource | undefined = [...answerSources(answer)].sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity))[0];
 * ```
 * @category Angular
 */
export interface AnswerSource {
  /** The document's text, as the server retrieved it (a non-text entry as JSON). */
  readonly text: string;
  /** The metadata stored with the document (`{}` when the server sent none, or not an object). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Its retrieval distance (smaller is closer), or null when the server sent none. */
  readonly distance: number | null;
}

/**
 * Zips an answer's `supportingDocuments`, `metadata` and `distances` into one typed source per
 * document, in the server's order. The KISS AI Stack server nests each list once (one inner list
 * per query, as its vector store answers); that nesting is flattened. An answer that used no
 * documents has no sources.
 *
 * @example
 * ```ts
 * const answer = await firstValueFrom(session.ask('What does the handbook say about leave?'));
 * for (const source of answerSources(answer)) {
 *   console.log(source.metadata['team'], source.distance, source.text.slice(0, 80));
 * }
 * ```
 * @category Angular
 */
export function answerSources(answer: Answer): readonly AnswerSource[] {
  const texts = flatten(answer.supportingDocuments);
  const metadata = flatten(answer.metadata);
  const distances = flatten(answer.distances);
  return texts.map((text, i) => ({ text: asText(text), metadata: asRecord(metadata[i]), distance: asDistance(distances[i]) }));
}

/** One list per query (`[[a, b]]`) becomes `[a, b]`; a flat list stays as it is. */
function flatten(list: readonly unknown[] | null): readonly unknown[] {
  if (!list) return [];
  return list.length > 0 && list.every(Array.isArray) ? (list as unknown[][]).flat() : list;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asDistance(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
