/**
 * Options of the embedded test server, and their defaults.
 * @module
 */
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/codecs.js';
import type { AnswerScript } from './answers.js';

/**
 * How to start the embedded test server. Every option is optional.
 * @category Testing
 */
export interface TestServerOptions {
  /** Token lifetime in seconds. @default 1800 */
  tokenLifetimeSeconds?: number;
  /** Answer OPTIONS preflights and add Access-Control-Allow-* headers so a browser page can call it. @default false */
  cors?: boolean;
  /**
   * Shape of 422 validation lists: 'v2' = `[{type:'missing',loc:[...],msg:'Field required',input:{}}]`
   * (pydantic 2), 'v1' = `[{loc:[...],msg:'field required',type:'value_error.missing'}]`.
   * @default 'v2'
   */
  validationStyle?: 'v1' | 'v2';
  /**
   * Path prefix, as if behind a proxy, e.g. '/kiss' → routes at /kiss/auth, /kiss/ws (and the slash
   * redirect's Location under it, as a proxy rewriting it would give). @default ''
   */
  pathPrefix?: string;
  /** Added delay in ms before every answer (REST and socket). @default 0 */
  latencyMs?: number;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * A file to append every issued token and client secret to, one per line, so a CI job can search
   * the whole test output for leaked secrets (`grep -F -f`). Empty disables.
   * @default process.env.KISS_TESTING_SECRETS_LOG, else ''
   */
  secretsLog?: string;
  /**
   * The largest socket frame, in bytes, the server accepts (uvicorn's `ws_max_size`). A larger frame
   * makes the server close the socket with code 1009 (message too big), empty reason, and no answer.
   * 0 means no limit.
   * @default 16777216
   */
  maxFrameBytes?: number;
  /**
   * How many seconds the server's clock runs ahead of the real one (negative: behind). It sets the
   * `exp` of the tokens it issues, the time it checks them against, and its HTTP `Date` header, so a
   * test can play a client whose clock disagrees with the server's.
   * @default 0
   */
  clockOffsetSeconds?: number;
  /**
   * Answers the asks (REST and socket) with the test's own function of the question and the
   * documents stored so far, sync or async, instead of the default echo; see {@link AnswerScript}.
   * The reply keeps the real server's shape. `setAnswer` changes it on a running server.
   *
   * @example
   * ```ts
   * const server = await startTestServer({
   *   answer: ({ question, documents }) => (documents.length ? `${documents.length} documents on "${question}"` : 'Nothing stored yet.'),
   * });
   * ```
   * @default undefined: `Answer to "<question>"`, plus ` from <names>` and every stored document as support when some are stored
   */
  answer?: AnswerScript;
}

/** @internal The options with every default filled in and the prefix normalised (the answer script lives in the context). */
export type ResolvedOptions = Required<Omit<TestServerOptions, 'answer'>>;


/** @internal */
export function resolveOptions(options: TestServerOptions = {}): ResolvedOptions {
  return {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 1800,
    cors: options.cors ?? false,
    validationStyle: options.validationStyle ?? 'v2',
    pathPrefix: normalizePrefix(options.pathPrefix ?? ''),
    latencyMs: Math.max(0, options.latencyMs ?? 0),
    port: options.port ?? 0,
    secretsLog: options.secretsLog ?? process.env.KISS_TESTING_SECRETS_LOG ?? '',
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    clockOffsetSeconds: options.clockOffsetSeconds ?? 0,
  };
}

/** '' stays ''; 'kiss/' and '/kiss' both become '/kiss'. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
