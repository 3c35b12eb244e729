/**
 * A store's request body, `{"files":[{"name":…,"content":"<base64>"}…],"metadata":{…}}`, as a
 * {@link StreamedBody}: its documents are read and base64-encoded a chunk at a time while it is
 * written, so the client's memory does not grow with them, and its length is known up front. The
 * text is exactly what `JSON.stringify({ files, metadata })` gives for the same documents.
 * @module
 */
import { DocumentError, type ErrorContext } from '../errors/kiss-error.js';
import { utf8Length } from '../protocol/encode.js';
import type { StreamedBody } from '../protocol/streamed-body.js';
import { base64Chunks, base64Length } from './base64.js';
import { DOCUMENT_CHUNK_BYTES, type PreparedDocument } from './document-source.js';
import { progressReporter, type StoreProgress } from './progress.js';

/** @internal */
export class DocumentsPayload implements StreamedBody {
  readonly streamed = true;
  readonly byteLength: number;
  /** The documents' base names and sizes, in order. */
  readonly files: readonly { name: string; size: number }[];
  private readonly heads: readonly string[];
  private readonly tail: string;
  private readonly report: (fileIndex: number, fileBytesSent: number) => void;

  constructor(
    private readonly documents: readonly PreparedDocument[],
    metadata: Record<string, unknown>,
    private readonly context: ErrorContext,
    onProgress?: (progress: StoreProgress) => void,
  ) {
    this.files = documents.map(({ name, size }) => ({ name, size }));
    // Each piece is what JSON.stringify writes around the contents, so the whole is byte for byte
    // the same; `{ metadata }` is stringified as a property, as it would be inside the body.
    this.heads = documents.map(({ name }, i) => `${i === 0 ? '{"files":[' : ','}{"name":${JSON.stringify(name)},"content":"`);
    const wrapped = JSON.stringify({ metadata });
    this.tail = wrapped === '{}' ? ']}' : `],${wrapped.slice(1)}`;
    let length = utf8Length(this.tail);
    documents.forEach((document, i) => (length += utf8Length(this.heads[i]!) + base64Length(document.size) + 2));
    this.byteLength = length;
    this.report = progressReporter(this.files, onProgress);
  }

  async *chunks(): AsyncGenerator<string, void, undefined> {
    for (const [i, document] of this.documents.entries()) {
      yield this.heads[i]!;
      let sent = 0;
      if (document.size === 0) this.report(i, 0);
      for await (const { text, bytes } of base64Chunks(document.read(DOCUMENT_CHUNK_BYTES))) {
        yield text;
        sent += bytes;
        this.report(i, sent);
      }
      // The Content-Length was computed from the size: a source that changed cannot be sent.
      if (sent !== document.size) throw new DocumentError(document.label, `changed while it was being sent (${document.size} bytes before, ${sent} now)`, this.context);
      yield '"}';
    }
    yield this.tail;
  }
}
