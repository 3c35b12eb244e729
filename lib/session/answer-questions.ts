/**
 * Turning a stream of questions into a stream of answers.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { concatMap, mergeMap, switchMap } from '../call/rx.js';
import type { Answer } from '../client/results.js';
import type { Session } from './session.js';

/**
 * How {@link answerQuestions} handles a question that comes while others are being answered.
 * - `queue`: one at a time, answers in question order;
 * - `parallel`: up to `concurrency` at once, answers as they arrive;
 * - `latest`: a new question cancels the one being answered (type-ahead search).
 * @category Session
 */
export type AnswerMode = 'queue' | 'parallel' | 'latest';

/**
 * Options of {@link answerQuestions}.
 * @category Session
 */
export interface AnswerQuestionsOptions {
  /** How overlapping questions are handled. @default 'queue' */
  mode?: AnswerMode;
  /** Questions answered at once in `parallel` mode. @default 4 */
  concurrency?: number;
}

/**
 * An operator that asks each question of `session` and emits the answers.
 *
 * @example
 * ```ts
 * questions$.pipe(answerQuestions(session, { mode: 'latest' })).subscribe((a) => render(a.text));
 * ```
 * @category Session
 */
export function answerQuestions(session: Session, options: AnswerQuestionsOptions = {}): OperatorFunction<string, Answer> {
  const ask = (question: string) => session.ask(question);
  switch (options.mode ?? 'queue') {
    case 'queue':
      return concatMap(ask);
    case 'parallel':
      return mergeMap(ask, Math.max(1, options.concurrency ?? 4));
    case 'latest':
      return switchMap(ask);
  }
}
