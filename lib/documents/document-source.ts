/**
 * The document inputs `store` accepts, and their conversion to wire files.
 * @module
 */
import { DocumentError, SessionMisuseError, type ErrorContext } from '../errors/kiss-error.js';
import { MissingGlobalError } from '../errors/missing-global.js';
import type { WireFile } from '../protocol/codecs.js';
import { utf8Length } from '../protocol/encode.js';
import { base64Chunks } from './base64.js';
import { openPath } from './read-path.js';

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

/**
 * A Blob or File of any realm: by shape too, as `instanceof Blob` fails for one made elsewhere (a
 * Node Blob under jest's jsdom environment, whose global Blob is jsdom's).
 */
function isBlob(value: unknown): value is Blob {
  if (typeof Blob !== 'undefined' && value instanceof Blob) return true;
  const blob = value as Partial<Blob> | null;
  return typeof blob === 'object' && blob !== null && typeof blob.size === 'number' && typeof blob.slice === 'function' && typeof blob.type === 'string';
}

/** An ArrayBuffer of any realm (`instanceof` fails for one made in another). */
const isArrayBuffer = (value: unknown): value is ArrayBuffer =>
  value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';

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

/**
 * One document checked and ready to be read: its base name, its size, and a way to read its bytes
 * in chunks, again from the start at every pass (a resend streams the body anew). Nothing is read
 * when it is prepared, but a missing file or an oversized document already fails.
 * @internal
 */
export interface PreparedDocument {
  /** The base name sent. */
  readonly name: string;
  /** The name or path as given, for errors. */
  readonly label: string;
  /** Its size in bytes. */
  readonly size: number;
  /**
   * A new pass over its bytes from the first, in chunks of at most `chunkBytes`. A chunk's memory
   * may be reused once the next one is asked for. Fails with a {@link DocumentError} when the
   * bytes cannot be read.
   */
  read(chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined>;
}

interface BufferStatic {
  byteLength(text: string, encoding: 'utf8'): number;
  from(text: string, encoding: 'utf8'): Uint8Array;
}

/** Turns a piece of text into UTF-8 bytes. */
type Utf8Encoder = (text: string) => Uint8Array;

/**
 * The UTF-8 encoder for a text document: `TextEncoder`, else Node's `Buffer` (jest's jsdom
 * environment has only the latter); with neither, a {@link MissingGlobalError}, before anything is sent.
 */
function utf8Encoder(label: string, context: ErrorContext): Utf8Encoder {
  if (typeof TextEncoder === 'function') {
    const encoder = new TextEncoder();
    return (text) => encoder.encode(text);
  }
  const NodeBuffer = (globalThis as { Buffer?: BufferStatic }).Buffer;
  if (NodeBuffer) return (text) => NodeBuffer.from(text, 'utf8');
  throw new MissingGlobalError('TextEncoder', `to send the text document "${label}" as UTF-8`, context);
}

/** The UTF-8 size of text exactly as it will be encoded (lone surrogates become U+FFFD). */
function textBytes(text: string): number {
  const NodeBuffer = (globalThis as { Buffer?: BufferStatic }).Buffer;
  return NodeBuffer ? NodeBuffer.byteLength(text, 'utf8') : utf8Length(text);
}

async function* byteSlices(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined> {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** Text as UTF-8, a slice at a time, never cutting a surrogate pair in two. */
async function* textSlices(text: string, chunkBytes: number, encode: Utf8Encoder): AsyncGenerator<Uint8Array, void, undefined> {
  const units = Math.max(2, Math.floor(chunkBytes / 3)); // at most 3 bytes per UTF-16 unit
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + units);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield encode(text.slice(at, end));
    at = end;
  }
}

/** Reads the bytes of a Blob (one slice of a document) whole. */
type BlobReader = (blob: Blob) => Promise<Uint8Array>;

/**
 * How this Blob's slices are read: `arrayBuffer()`, else `stream()`, else a `FileReader` (jsdom's
 * Blob and File have neither method, and jsdom has a FileReader); with none of them, a
 * {@link MissingGlobalError}, before anything is sent.
 */
function blobReader(blob: Blob, label: string, context: ErrorContext): BlobReader {
  if (typeof blob.arrayBuffer === 'function') return async (slice) => new Uint8Array(await slice.arrayBuffer());
  if (typeof blob.stream === 'function') return (slice) => streamBytes(slice.stream());
  const Reader = (globalThis as { FileReader?: typeof FileReader }).FileReader;
  if (typeof Reader === 'function') return (slice) => readWithFileReader(Reader, slice);
  throw new MissingGlobalError('FileReader', `to read the Blob of "${label}", which has neither arrayBuffer() nor stream()`, context);
}

async function streamBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    parts.push(part.value);
    length += part.value.byteLength;
  }
  if (parts.length === 1) return parts[0]!;
  const bytes = new Uint8Array(length);
  parts.reduce((at, part) => (bytes.set(part, at), at + part.byteLength), 0);
  return bytes;
}

function readWithFileReader(Reader: typeof FileReader, blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new Reader();
    // The result may be an ArrayBuffer of another realm (jsdom's): a Uint8Array over it works all the same.
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('the FileReader failed'));
    reader.readAsArrayBuffer(blob);
  });
}

async function* blobSlices(blob: Blob, label: string, chunkBytes: number, read: BlobReader, context: ErrorContext): AsyncGenerator<Uint8Array, void, undefined> {
  for (let at = 0; at < blob.size; at += chunkBytes) {
    let bytes: Uint8Array;
    try {
      bytes = await read(blob.slice(at, at + chunkBytes));
    } catch (error) {
      throw new DocumentError(label, 'could not be read from its Blob', context, { cause: error });
    }
    yield bytes;
  }
}

function prepareData(name: string, label: string, data: unknown, context: ErrorContext, checkSize: SizeCheck): PreparedDocument {
  // Not `instanceof Uint8Array`: a Node Buffer under jest's jsdom environment is of another realm.
  if (ArrayBuffer.isView(data) || isArrayBuffer(data)) {
    const bytes = isArrayBuffer(data) ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    checkSize(label, bytes.byteLength);
    return { name, label, size: bytes.byteLength, read: (chunkBytes) => byteSlices(bytes, chunkBytes) };
  }
  if (typeof data === 'string') {
    const size = textBytes(data);
    checkSize(label, size);
    const encode = utf8Encoder(label, context);
    return { name, label, size, read: (chunkBytes) => textSlices(data, chunkBytes, encode) };
  }
  if (isBlob(data)) {
    checkSize(label, data.size);
    const read = blobReader(data, label, context);
    return { name, label, size: data.size, read: (chunkBytes) => blobSlices(data, label, chunkBytes, read, context) };
  }
  throw new DocumentError(label, 'has data of an unsupported type; use a Uint8Array, ArrayBuffer, Blob or string', context);
}

async function prepareDocument(source: DocumentSource, context: ErrorContext, checkSize: SizeCheck): Promise<PreparedDocument> {
  if (typeof source === 'string') {
    if (!source) throw new DocumentError(source, 'has an empty path', context);
    const file = await openPath(source, context, (bytes) => checkSize(source, bytes));
    return { name: baseName(source), label: source, size: file.size, read: (chunkBytes) => file.read(chunkBytes) };
  }
  if (source === null || typeof source !== 'object' || typeof source.name !== 'string') {
    throw new DocumentError(String(source), 'is not a path, File or { name, data } object', context);
  }
  const name = baseName(source.name);
  if (!name) throw new DocumentError(source.name, 'has no file name', context);
  const data = 'data' in source ? source.data : source;
  return prepareData(name, source.name, data, context, checkSize);
}

/**
 * Checks every document without reading it (paths exist and can be opened, sizes are within
 * `maxBytes`), failing on the first one that cannot be stored, before anything is sent.
 * @internal
 */
export async function prepareDocuments(
  sources: DocumentSource | readonly DocumentSource[],
  context: ErrorContext,
  maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES,
): Promise<PreparedDocument[]> {
  const checkSize = documentSizeLimit(maxBytes, context);
  const list = Array.isArray(sources) ? sources : [sources as DocumentSource];
  if (list.length === 0) {
    throw new SessionMisuseError('store was given no documents; pass at least one path, File or { name, data }.', context);
  }
  return Promise.all(list.map((source) => prepareDocument(source, context, checkSize)));
}

/**
 * Raw bytes read per chunk: a multiple of 3, so each chunk's base64 stands on its own.
 * @internal
 */
export const DOCUMENT_CHUNK_BYTES = 3 * 64 * 1024;

/**
 * Reads every document into wire form, whole (for tests and small bodies; a store streams its
 * documents instead, see documents-body.ts).
 * @internal
 */
export async function toWireFiles(
  sources: DocumentSource | readonly DocumentSource[],
  context: ErrorContext,
  maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES,
): Promise<WireFile[]> {
  const documents = await prepareDocuments(sources, context, maxBytes);
  const files: WireFile[] = [];
  for (const document of documents) {
    const parts: string[] = [];
    for await (const { text } of base64Chunks(document.read(DOCUMENT_CHUNK_BYTES))) parts.push(text);
    files.push({ name: document.name, content: parts.join('') });
  }
  return files;
}
