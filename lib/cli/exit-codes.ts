/**
 * The exit codes of `kiss-stack`, and the one function that picks a code for an error.
 * @module
 */
import { isKissError, type KissErrorKind } from '../index.js';

/**
 * What `kiss-stack` exits with. A script tells apart a mistake in its own command line (`usage`),
 * credentials to fix (`unauthorized`), a server that answered but refused or failed (`server`), a
 * server it could not reach or that did not answer in time (`network`), and a document it could
 * not send (`document`).
 */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** Any other failure: a misused option the checks did not catch, a cancelled call, a bug. */
  failure: 1,
  /** Bad flags, a missing argument or an unknown command: the usage is printed to stderr. */
  usage: 2,
  /** The server refused the client's token or credentials (kind `unauthorized`). */
  unauthorized: 3,
  /** The server answered with an error or an answer that makes no sense (kinds `server`, `http`, `validation`, `decode`, `not-stored`). */
  server: 4,
  /** The server could not be reached, dropped the socket, or took longer than `--timeout` (kinds `transport`, `socket-closed`, `timeout`). */
  network: 5,
  /** A document could not be read or is too large to send (kinds `document`, `too-large`). */
  document: 6,
  /** Interrupted with Ctrl-C (SIGINT) before `ask` or `store` finished: 128 + 2, as shells report it. */
  interrupted: 130,
} as const;

/**
 * The exit code for every error kind. A `Record` over every kind, so a kind added to the library
 * fails the type-check here until it is given a code.
 */
const CODE_BY_KIND: Record<KissErrorKind, number> = {
  unauthorized: EXIT.unauthorized,
  server: EXIT.server,
  http: EXIT.server,
  validation: EXIT.server,
  decode: EXIT.server,
  'not-stored': EXIT.server,
  transport: EXIT.network,
  'socket-closed': EXIT.network,
  timeout: EXIT.network,
  document: EXIT.document,
  'too-large': EXIT.document,
  misuse: EXIT.failure,
  cancelled: EXIT.failure,
};

/**
 * The exit code for an error: by its `kind` for this library's errors, the code a CLI error
 * carries (see {@link CliError}), else {@link EXIT}`.failure`.
 *
 * @example
 * ```ts
 * exitCodeFor(new TransportError('refused')); // 5
 * ```
 */
export function exitCodeFor(error: unknown): number {
  if (isKissError(error)) return CODE_BY_KIND[error.kind] ?? EXIT.failure;
  if (error instanceof CliError) return error.exitCode;
  return EXIT.failure;
}

/**
 * A failure of the CLI itself (not of a call to the server), with the exit code it ends with and a
 * message that is a plain sentence. A `usage` code also prints the usage.
 */
export class CliError extends Error {
  /**
   * @param message - what went wrong and what to do, in one or two sentences
   * @param exitCode - one of {@link EXIT}
   */
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A {@link CliError} for a command line that cannot work: exits {@link EXIT}`.usage` and prints the usage.
 *
 * @example
 * ```ts
 * throw usageError('ask needs a question, e.g. kiss-stack ask "What is KISS?"');
 * ```
 */
export const usageError = (message: string): CliError => new CliError(message, EXIT.usage);
