/**
 * Reading a document from a file path, in Node only. The main entry stays browser-safe: the file
 * system module is reached at run time through `process.getBuiltinModule` or a dynamic import that
 * bundlers do not follow.
 *
 * A file is checked when the store starts (it exists, is a file, can be opened, and is not over
 * the size limit), and read later, in chunks, as the request body is written: never whole.
 * @module
 */
import { DocumentError, type ErrorContext } from '../errors/kiss-error.js';
import { openPath as withoutFileSystem } from './read-path.browser.js';

interface FileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}
interface Fs {
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
  open(path: string, flags: string): Promise<FileHandle>;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

async function loadFs(): Promise<Fs | undefined> {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return undefined;
  const fromBuiltin = proc.getBuiltinModule?.('node:fs/promises') as Fs | undefined;
  if (fromBuiltin) return fromBuiltin;
  const specifier = 'node:fs/promises';
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as Fs;
}

const PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a directory, not a file',
};

/**
 * A file found and checked, to be read when its bytes are needed, as often as needed.
 * @internal
 */
export interface PathDocument {
  /** Its size in bytes when it was checked; reading fails with a {@link DocumentError} if it changed. */
  readonly size: number;
  /** A new pass over its bytes from the first, in chunks of `chunkBytes` (the last may be shorter). The chunk's memory is reused for the next one. */
  read(chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined>;
}

/**
 * Checks a file without reading it, or fails with a {@link DocumentError} naming it. `checkSize`
 * sees the file's size before anything is read, and may throw.
 * @internal
 */
export async function openPath(path: string, context: ErrorContext, checkSize: (bytes: number) => void = () => undefined): Promise<PathDocument> {
  const fs = await loadFs();
  if (!fs) return withoutFileSystem(path, context);
  let stat: Awaited<ReturnType<Fs['stat']>>;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    throw unreadable(path, error, context);
  }
  if (stat.isDirectory()) throw new DocumentError(path, PROBLEMS.EISDIR!, context);
  checkSize(stat.size);
  if (!stat.isFile() || stat.size === 0) {
    // A device, a pipe, or a file that reports no size (like those under /proc): its size is only
    // known once it is read, so it is read now, whole, as before.
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (error) {
      throw unreadable(path, error, context);
    }
    checkSize(bytes.byteLength);
    return { size: bytes.byteLength, read: (chunkBytes) => slices(bytes, chunkBytes) };
  }
  // Opened (and closed) now, so a file that cannot be read fails the store before anything is sent.
  try {
    await (await fs.open(path, 'r')).close();
  } catch (error) {
    throw unreadable(path, error, context);
  }
  const size = stat.size;
  return { size, read: (chunkBytes) => readChunks(fs, path, size, chunkBytes, context) };
}

async function* slices(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined> {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** Reads exactly `size` bytes in chunks through one open file, closed when the pass ends however it ends. */
async function* readChunks(fs: Fs, path: string, size: number, chunkBytes: number, context: ErrorContext): AsyncGenerator<Uint8Array, void, undefined> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw unreadable(path, error, context);
  }
  const read = async (buffer: Uint8Array, offset: number, length: number, position: number) => {
    try {
      return (await handle.read(buffer, offset, length, position)).bytesRead;
    } catch (error) {
      throw unreadable(path, error, context);
    }
  };
  try {
    const buffer = new Uint8Array(Math.min(chunkBytes, size));
    for (let position = 0; position < size; ) {
      const want = Math.min(buffer.byteLength, size - position);
      let filled = 0;
      while (filled < want) {
        const got = await read(buffer, filled, want - filled, position + filled);
        if (got === 0) throw changed(path, `got shorter while it was being sent (it had ${size} bytes)`, context);
        filled += got;
      }
      position += filled;
      yield buffer.subarray(0, filled);
    }
    if ((await read(new Uint8Array(1), 0, 1, size)) > 0) throw changed(path, `grew while it was being sent (it had ${size} bytes)`, context);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function changed(path: string, problem: string, context: ErrorContext): DocumentError {
  return new DocumentError(path, problem, context);
}

function unreadable(path: string, error: unknown, context: ErrorContext): DocumentError {
  const code = (error as { code?: string }).code ?? '';
  return new DocumentError(path, PROBLEMS[code] ?? `cannot be read (${code || 'unknown error'})`, context, { cause: error });
}
