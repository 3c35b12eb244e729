/**
 * `kiss-stack chat`: questions from stdin, answers on stdout, until Ctrl-D or Ctrl-C twice.
 * @module
 */
import { createInterface } from 'node:readline';
import { type Answer, FINAL_STATUSES, type Session } from '../index.js';
import type { Connection } from './args.js';
import type { CliContext } from './context.js';
import { withSession } from './session-runner.js';

const PROMPT = 'kiss> ';

/**
 * An interactive loop over one session: each line read is a question, each answer a line on
 * stdout (with `--json`, the whole answer). The prompt goes to stderr, so `chat < questions.txt >
 * answers.txt` keeps only the answers.
 *
 * Ctrl-C while a question is in flight cancels it (the request is unsubscribed) and the prompt
 * returns; Ctrl-C at the prompt says how to leave, and a second Ctrl-C in a row (so also two
 * quickly during a question) ends the chat. End of input (Ctrl-D) ends it too. Ending destroys
 * the session. An error that ends the session (its client was closed on the server) ends the chat
 * with that error; any other error is printed and the chat goes on.
 *
 * @example
 * ```ts
 * await chat(context, connection);
 * ```
 */
export async function chat(context: CliContext, connection: Connection): Promise<void> {
  await withSession(connection, context, (session) => chatLoop(context, session, connection.json));
}

async function chatLoop(context: CliContext, session: Session, json: boolean): Promise<void> {
  const { output, stdin } = context;
  // On a terminal, readline edits the line on stderr (where the prompt is) and turns Ctrl-C into
  // its own 'SIGINT' event; elsewhere Ctrl-C is the process's SIGINT, which the CLI routes here too.
  const terminal = stdin.isTTY === true && output.stderr.isTTY === true;
  const lines = createInterface({ input: stdin, output: terminal ? output.stderr : undefined, terminal, prompt: PROMPT });
  const prompt = () => (terminal ? lines.prompt() : output.raw(PROMPT));
  lines.on('SIGINT', () => context.interrupts.emit());

  let quitting = false;
  /** True when the user's last action was Ctrl-C: one more ends the chat. */
  let interruptedLast = false;
  /** Cancels the question in flight, while there is one. */
  let cancelQuestion: (() => void) | undefined;

  const offInterrupt = context.interrupts.on(() => {
    if (cancelQuestion) {
      cancelQuestion();
    } else if (interruptedLast) {
      quitting = true;
      lines.close();
    } else {
      interruptedLast = true;
      output.raw('\n');
      output.notice('(To exit, press Ctrl-C again or Ctrl-D.)');
      prompt();
    }
  });

  /** The answer, or undefined when Ctrl-C cancelled the question. */
  const answer = (question: string) =>
    new Promise<Answer | undefined>((resolve, reject) => {
      const subscription = session.ask(question).subscribe({
        next: (value) => {
          cancelQuestion = undefined;
          resolve(value);
        },
        error: (error: unknown) => {
          cancelQuestion = undefined;
          reject(error);
        },
      });
      cancelQuestion = () => {
        cancelQuestion = undefined;
        interruptedLast = true;
        subscription.unsubscribe();
        resolve(undefined);
      };
    });

  try {
    prompt();
    for await (const line of lines) {
      if (quitting) break;
      interruptedLast = false;
      const question = line.trim();
      if (question) {
        try {
          const reply = await answer(question);
          if (reply === undefined) output.notice('(cancelled)');
          else output.result(json ? JSON.stringify(reply) : reply.text);
        } catch (error) {
          if (FINAL_STATUSES.includes(session.state.status)) throw error;
          output.error(error);
        }
      }
      if (quitting) break;
      prompt();
    }
  } finally {
    offInterrupt();
    lines.close();
    if (output.stderr.isTTY) output.raw('\n');
  }
}
