/**
 * `kiss-stack store FILES…`: stores files, with a progress bar on a terminal.
 * @module
 */
import type { StoreResult } from '../index.js';
import type { Connection } from './args.js';
import type { CliContext } from './context.js';
import { progressBar, wantsProgress } from './progress-bar.js';
import { untilInterrupted, withSession } from './session-runner.js';

/** What `store` is asked to do. */
export interface StoreRequest {
  /** The files' paths. */
  readonly files: readonly string[];
  /** Metadata stored with them (`--meta key=value`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Draw the progress bar even when stderr is not a terminal (`--progress`). */
  readonly forceProgress: boolean;
}

/**
 * Opens a session, stores the files with their metadata and destroys the session. Prints what was
 * stored (with `--json`, the `StoreResult` on one line); on a terminal, a progress bar on stderr.
 *
 * @example
 * ```ts
 * await store(context, { files: ['./handbook.pdf'], metadata: { team: 'docs' }, forceProgress: false }, connection);
 * ```
 */
export async function store(context: CliContext, request: StoreRequest, connection: Connection): Promise<void> {
  const { output } = context;
  const onProgress = wantsProgress(output.stderr, request.forceProgress)
    ? progressBar({ write: (text) => output.raw(text), columns: output.stderr.columns }, request.files.length)
    : undefined;
  const result = await withSession(connection, context, (session) =>
    untilInterrupted(context, session.store(request.files, { metadata: { ...request.metadata }, onProgress })),
  );
  if (connection.json) output.result(JSON.stringify(result));
  else describeStored(result).forEach((line) => output.result(line));
}

/**
 * What a store did, for people: the files, then the ids each of the server's tools gave them.
 *
 * @example
 * ```ts
 * describeStored({ stackId: 's', fileNames: ['a.txt'], documentIds: { documents: ['id1'] }, ids: ['id1'] });
 * // ['stored a.txt', 'documents: id1']
 * ```
 */
export function describeStored(result: StoreResult): string[] {
  return [`stored ${result.fileNames.join(', ')}`, ...Object.entries(result.documentIds).map(([tool, ids]) => `${tool}: ${ids.join(', ')}`)];
}
