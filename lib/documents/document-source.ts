/**
 * The document inputs `store` accepts, and their conversion to wire files.
 * @module
 */
import { DocumentError, SessionMisuseError, type ErrorContext } from '../errors/kiss-error.js';
import type { WireFile } from '../protocol/codecs.js';
import { utf8Length } from '../protocol/encode.js';
import { bytesToBase64 } from './base64.js';
import { readPath } from './read-path.js';

/**
 * Bytes of a document: a `Uint8Array` (a Node `Buffer` is one), an `ArrayBuffer`, a `Blob`, or
 * text (sent as UTF-8).
 * @category Documents
 */
export type DocumentData = Uint8Array | ArrayBuffer | Blob | string;

/**
 * One document to store:
 * - a file path (Node only; a missing or unreadable file fails the store with a {@link DocumentError});
 * - a `File` (its `name` is used);
 * - `{ name, data }` for bytes, blobs or text.
 *
 * Only the base name is sent, as the server keeps no folders.
 *
 * @example
 * ```ts
 * const docs: DocumentSource[] = ['./notes/kiss.md', { name: 'faq.txt', data: 'KISS means ...' }];
 * ```
 * @category Documents
 */
export type DocumentSource =
  | string
  | File
  | {
      /** The file name; only its base name is sent. */
      name: string;
      /** The document's bytes or text. */
      data: DocumentData;
    };

/**
 * The file's base name: everything after the last `/` or `\`.
 * @internal
 */
export function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

const isBlob = (value: unknown): value is Blob => typeof Blob !== 'undefined' && value instanceof Blob;

/** The default of the client option `maxDocumentBytes`: 100 MiB. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;

/** A check of one document's size, made before it is read. */
type SizeCheck = (name: string, bytes: number) => void;

/** @internal Fails with a misuse error naming `maxDocumentBytes` when a document is larger. */
export function documentSizeLimit(maxBytes: number, context: ErrorContext): SizeCheck {
  return (name, bytes) => {
    if (bytes <= maxBytes) return;
    throw new SessionMisuseError(
      `Document "${name}" is ${bytes} bytes, over the maxDocumentBytes limit of ${maxBytes}; nothing was read or sent. ` +
        'Split it, or raise the client option maxDocumentBytes.',
      context,
    );
  };
}

async function bytesOf(name: string, data: unknown, context: ErrorContext, checkSize: SizeCheck): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return checkSize(name, data.byteLength), data;
  if (data instanceof ArrayBuffer) return checkSize(name, data.byteLength), new Uint8Array(data);
  if (typeof data === 'string') return checkSize(name, utf8Length(data)), new TextEncoder().encode(data);
  if (isBlob(data)) {
    checkSize(name, data.size);
    try {
      return new Uint8Array(await data.arrayBuffer());
    } catch (error) {
      throw new DocumentError(name, 'could not be read from its Blob', context, { cause: error });
    }
  }
  throw new DocumentError(name, 'has data of an unsupported type; use a Uint8Array, ArrayBuffer, Blob or string', context);
}

async function toWireFile(source: DocumentSource, context: ErrorContext, checkSize: SizeCheck): Promise<WireFile> {
  if (typeof source === 'string') {
    if (!source) throw new DocumentError(source, 'has an empty path', context);
    return { name: baseName(source), content: bytesToBase64(await readPath(source, context, (bytes) => checkSize(source, bytes))) };
  }
  if (source === null || typeof source !== 'object' || typeof source.name !== 'string') {
    throw new DocumentError(String(source), 'is not a path, File or { name, data } object', context);
  }
  const name = baseName(source.name);
  if (!name) throw new DocumentError(source.name, 'has no file name', context);
  const data = 'data' in source ? source.data : source;
  return { name, content: bytesToBase64(await bytesOf(source.name, data, context, checkSize)) };
}

/**
 * Reads every document into wire form, failing on the first one that cannot be read.
 * @internal
 */
export async function toWireFiles(
  sources: DocumentSource | readonly DocumentSource[],
  context: ErrorContext,
  maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES,
): Promise<WireFile[]> {
  const checkSize = documentSizeLimit(maxBytes, context);
  const list = Array.isArray(sources) ? sources : [sources as DocumentSource];
  if (list.length === 0) {
    throw new SessionMisuseError('store was given no documents; pass at least one path, File or { name, data }.', context);
  }
  return Promise.all(list.map((source) => toWireFile(source, context, checkSize)));
}
