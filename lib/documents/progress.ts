/**
 * How far a store has got: what a progress callback and a session's `store-progress` event carry,
 * and the reporter that throttles it and keeps it from ever going backwards.
 * @module
 */

/**
 * How far a store has got, in bytes of the documents themselves (not of their base64 on the
 * wire). Over Node's `node:http` a byte counts once the request has taken it for the connection;
 * over `fetch` and the socket, whose body is built whole before it is handed over, once it is in
 * that body.
 *
 * @example
 * ```ts
 * client.store(auth, ['./a.pdf', './b.pdf'], {
 *   onProgress: (p) => console.log(`${p.file}: ${p.fileBytesSent}/${p.fileBytes}, all: ${Math.round((100 * p.bytesSent) / p.totalBytes)}%`),
 * });
 * ```
 * @category Documents
 */
export interface StoreProgress {
  /** The base name of the document being sent (the name the server gets). */
  readonly file: string;
  /** That document's position in the list given to `store`, from 0 (names may repeat). */
  readonly fileIndex: number;
  /** Bytes of that document sent so far. */
  readonly fileBytesSent: number;
  /** That document's size in bytes. */
  readonly fileBytes: number;
  /** Bytes of all the documents sent so far. */
  readonly bytesSent: number;
  /** The size of all the documents together, in bytes. */
  readonly totalBytes: number;
}

/**
 * Reports `(fileIndex, fileBytesSent)` positions as {@link StoreProgress}. Throttled: a report
 * goes out when at least 1% of the total was sent since the last one, and always when a document
 * is complete (so the last report of a store is always 100%). Never backwards: a second pass over
 * the body (a request resent on a fresh connection, a redirect) only reports past the furthest
 * point already reported. An exception thrown by `onProgress` is ignored: a progress display
 * never fails a store.
 * @internal
 */
export function progressReporter(
  files: readonly { name: string; size: number }[],
  onProgress: ((progress: StoreProgress) => void) | undefined,
): (fileIndex: number, fileBytesSent: number) => void {
  if (!onProgress) return () => undefined;
  const before: number[] = [];
  let totalBytes = 0;
  for (const file of files) {
    before.push(totalBytes);
    totalBytes += file.size;
  }
  const step = Math.max(1, Math.ceil(totalBytes / 100));
  let furthestIndex = -1;
  let furthestBytes = -1;
  let reportedBytes = 0;
  return (fileIndex, fileBytesSent) => {
    if (fileIndex < furthestIndex || (fileIndex === furthestIndex && fileBytesSent <= furthestBytes)) return;
    const file = files[fileIndex]!;
    const bytesSent = before[fileIndex]! + fileBytesSent;
    const complete = fileBytesSent === file.size;
    if (!complete && bytesSent - reportedBytes < step) return;
    furthestIndex = fileIndex;
    furthestBytes = fileBytesSent;
    reportedBytes = bytesSent;
    try {
      onProgress({ file: file.name, fileIndex, fileBytesSent, fileBytes: file.size, bytesSent, totalBytes });
    } catch {
      // ignored: see above
    }
  };
}
