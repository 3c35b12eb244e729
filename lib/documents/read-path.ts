/**
 * Reading a document from a file path, in Node only. The main entry stays browser-safe: the file
 * system module is reached at run time through `process.getBuiltinModule` or a dynamic import that
 * bundlers do not follow.
 * @module
 */
import { DocumentError, type ErrorContext } from '../errors/kiss-error.js';

type ReadFile = (path: string) => Promise<Uint8Array>;

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

async function loadReadFile(): Promise<ReadFile | undefined> {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return undefined;
  const fromBuiltin = proc.getBuiltinModule?.('node:fs/promises') as { readFile: ReadFile } | undefined;
  if (fromBuiltin) return fromBuiltin.readFile;
  const specifier = 'node:fs/promises';
  const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as { readFile: ReadFile };
  return mod.readFile;
}

const PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a directory, not a file',
};

/**
 * Reads a file's bytes, or fails with a {@link DocumentError} naming it.
 * @internal
 */
export async function readPath(path: string, context: ErrorContext): Promise<Uint8Array> {
  const readFile = await loadReadFile();
  if (!readFile) {
    throw new DocumentError(path, 'is a file path, which only Node can read; pass a File, Blob or Uint8Array with a name instead', context);
  }
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new DocumentError(path, PROBLEMS[code] ?? `cannot be read (${code || 'unknown error'})`, context, { cause: error });
  }
}
