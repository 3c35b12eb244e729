/**
 * What a command runs with: the outputs, stdin, and Ctrl-C.
 * @module
 */
import type { Interrupts } from './interrupts.js';
import type { Output } from './output.js';

/** What every command is given: where to write, what to read, and the interrupts to listen to. */
export interface CliContext {
  /** stdout for results, stderr for the rest; hides secrets. */
  readonly output: Output;
  /** What `chat` reads its questions from. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Ctrl-C, routed to whatever is waiting. */
  readonly interrupts: Interrupts;
}
