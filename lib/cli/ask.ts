/**
 * `kiss-stack ask "question"`: one question, one answer.
 * @module
 */
import type { Connection } from './args.js';
import type { CliContext } from './context.js';
import { untilInterrupted, withSession } from './session-runner.js';

/**
 * Opens a session, asks `question`, prints the answer's text (with `--json`, the whole answer on
 * one line) and destroys the session.
 *
 * @example
 * ```ts
 * await ask(context, 'What is KISS?', connection); // prints: Answer to "What is KISS?"
 * ```
 */
export async function ask(context: CliContext, question: string, connection: Connection): Promise<void> {
  const answer = await withSession(connection, context, (session) => untilInterrupted(context, session.ask(question)));
  context.output.result(connection.json ? JSON.stringify(answer) : answer.text);
}
