/**
 * `kiss-stack`: reads the command line, runs the command, and turns its outcome into an exit code.
 * @module
 */
import { ask } from './ask.js';
import { type Command, parseCommandLine } from './args.js';
import { chat } from './chat.js';
import type { CliContext } from './context.js';
import { demo } from './demo.js';
import { CliError, EXIT, exitCodeFor } from './exit-codes.js';
import type { Interrupts } from './interrupts.js';
import { Output, secretsIn, type TextSink } from './output.js';
import { store } from './store.js';
import { USAGE } from './usage.js';

/** What the CLI runs with: the process's streams, environment and Ctrl-C, or a test's. */
export interface CliIo {
  /** Read by `chat` only (a getter keeps other commands from opening it). */
  readonly stdin: CliContext['stdin'];
  /** Results. */
  readonly stdout: TextSink;
  /** Progress, prompts, notices and errors. */
  readonly stderr: TextSink;
  /** Where `KISS_STACK_URL`, `KISS_STACK_CLIENT_ID` and `KISS_STACK_CLIENT_SECRET` are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What `--version` prints. */
  readonly version: string;
  /** Ctrl-C. */
  readonly interrupts: Interrupts;
}

/**
 * Runs `kiss-stack` with `argv` (the arguments after the script) and resolves with its exit code
 * (see {@link EXIT}); it never rejects. Errors are printed to stderr as their message, a plain
 * sentence, never with a stack trace; a usage error also prints the usage.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), io);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const output = new Output(io.stdout, io.stderr);
  for (const secret of secretsIn(argv, io.env)) output.addSecret(secret);
  const context: CliContext = {
    output,
    interrupts: io.interrupts,
    get stdin() {
      return io.stdin;
    },
  };
  try {
    await run(parseCommandLine(argv, io.env), context, io.version);
    return EXIT.ok;
  } catch (error) {
    output.error(error);
    if (error instanceof CliError && error.exitCode === EXIT.usage) output.raw(`\n${USAGE}`);
    return exitCodeFor(error);
  }
}

async function run(command: Command, context: CliContext, version: string): Promise<void> {
  switch (command.command) {
    case 'help':
      return context.output.result(USAGE.trimEnd());
    case 'version':
      return context.output.result(version);
    case 'ask':
      return ask(context, command.question, command.connection);
    case 'store':
      return store(context, command, command.connection);
    case 'chat':
      return chat(context, command.connection);
    case 'demo':
      return demo(context, command);
  }
}
