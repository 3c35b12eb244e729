/**
 * Reading a document from a file path, in Node only. The main entry stays browser-safe: the file
 * system module is reached at run time through `process.getBuiltinModule` or a dynamic import that
 * bundlers do not follow.
 * @module
 */
import { DocumentError, type ErrorContext } from '../errors/kiss-error.js';

type ReadFile = (path: string) => Promise<Uint8Array>;
type Stat = (path: string) => Promise<{ size: number; isFile(): boolean }>;
interface Fs {
  readFile: ReadFile;
  stat: Stat;
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
 * Reads a file's bytes, or fails with a {@link DocumentError} naming it. `checkSize` sees the
 * file's size before anything is read, and may throw.
 * @internal
 */
export async function readPath(path: string, context: ErrorContext, checkSize: (bytes: number) => void = () => undefined): Promise<Uint8Array> {
  const fs = await loadFs();
  if (!fs) {
    throw new DocumentError(path, 'is a file path, which only Node can read; pass a File, Blob or Uint8Array with a name instead', context);
  }
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch (error) {
    throw unreadable(path, error, context);
  }
  checkSize(size);
  try {
    return await fs.readFile(path);
  } catch (error) {
    throw unreadable(path, error, context);
  }
}

function unreadable(path: string, error: unknown, context: ErrorContext): DocumentError {
  const code = (error as { code?: string }).code ?? '';
  return new DocumentError(path, PROBLEMS[code] ?? `cannot be read (${code || 'unknown error'})`, context, { cause: error });
}
