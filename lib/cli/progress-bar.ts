/**
 * The progress bar `kiss-stack store` draws on a terminal: one line per file, redrawn in place as
 * its bytes go out, with a bar of the bytes sent of the whole store.
 * @module
 */
import type { StoreProgress } from '../index.js';

const BAR_WIDTH = 20;

/**
 * Whether `store` draws a progress bar: when stderr is a terminal, or when asked with `--progress`.
 * Piped or redirected, it stays quiet, so logs and scripts get no control characters.
 *
 * @example
 * ```ts
 * wantsProgress(process.stderr, false); // true in a terminal, false with 2>log.txt
 * ```
 */
export function wantsProgress(stderr: { readonly isTTY?: boolean }, forced: boolean): boolean {
  return forced || stderr.isTTY === true;
}

/**
 * One line of the bar, without line control: `a.txt (1/2)  [#####...............]  1.0 KiB of 4.0 KiB   25%`.
 * The file name is shortened (with `…`) to fit `columns`.
 *
 * @example
 * ```ts
 * progressLine({ file: 'a.txt', fileIndex: 0, fileBytesSent: 1024, fileBytes: 1024, bytesSent: 1024, totalBytes: 4096 }, 2, 80);
 * // 'a.txt (1/2)  [#####...............]  1.0 KiB of 4.0 KiB   25%'
 * ```
 */
export function progressLine(progress: StoreProgress, fileCount: number, columns: number): string {
  const fraction = progress.totalBytes === 0 ? 1 : progress.bytesSent / progress.totalBytes;
  const filled = Math.floor(fraction * BAR_WIDTH);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const tail = `  [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]  ${formatBytes(progress.bytesSent)} of ${formatBytes(progress.totalBytes)} ${percent}`;
  const counter = ` (${progress.fileIndex + 1}/${fileCount})`;
  const room = Math.max(8, columns - 1 - tail.length - counter.length);
  const name = progress.file.length > room ? `${progress.file.slice(0, room - 1)}…` : progress.file;
  return `${name}${counter}${tail}`;
}

/**
 * A progress callback that draws the bar on `stream`: the current file's line is redrawn in place
 * (`\r`, then erase to the end of the line) and ends with a newline once the file is sent, so each
 * file leaves one line behind.
 *
 * @example
 * ```ts
 * session.store(files, { onProgress: progressBar(process.stderr, files.length) });
 * ```
 */
export function progressBar(stream: { write(text: string): unknown; readonly columns?: number }, fileCount: number): (progress: StoreProgress) => void {
  return (progress) => {
    const done = progress.fileBytesSent === progress.fileBytes;
    stream.write(`\r${progressLine(progress, fileCount, stream.columns ?? 80)}\u001b[K${done ? '\n' : ''}`);
  };
}

/** Bytes for people: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
