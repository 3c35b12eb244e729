/**
 * The state one running test server shares between its HTTP routes and its sockets.
 * @module
 */
import type { AnswerScript } from './answers.js';
import type { ClientRegistry } from './clients.js';
import type { ServerClock } from './clock.js';
import type { Faults } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { RequestLog } from './request-log.js';
import type { TokenIssuer } from './tokens.js';

/** @internal */
export interface ServerContext {
  readonly options: ResolvedOptions;
  readonly clients: ClientRegistry;
  readonly tokens: TokenIssuer;
  readonly faults: Faults;
  readonly log: RequestLog;
  readonly clock: ServerClock;
  /** The answer script in force (the `answer` option, then `setAnswer`); none: the default echo. */
  readonly answers: { script: AnswerScript | undefined };
}
