/**
 * The browser build's stand-in for read-path.ts: a browser cannot read a file path, so storing one
 * fails as it would in any runtime without Node's file system. The package's `browser` field maps
 * read-path.js to this file, so browser bundles carry none of the file-reading code.
 * @module
 */
import { DocumentError, type ErrorContext } from '../errors/kiss-error.js';
import type { PathDocument } from './read-path.js';

export type { PathDocument };

/**
 * Fails with the same {@link DocumentError} read-path.ts gives outside Node.
 * @internal
 */
export async function openPath(path: string, context: ErrorContext): Promise<PathDocument> {
  throw new DocumentError(path, 'is a file path, which only Node can read; pass a File, Blob or Uint8Array with a name instead', context);
}
