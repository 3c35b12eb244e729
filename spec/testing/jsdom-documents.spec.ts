/**
 * @jest-environment jsdom
 */
// Documents in jest's jsdom environment: jsdom's File and Blob have no arrayBuffer(), stream() or
// text() (only a FileReader reads them), and a Node Buffer or Blob comes from another realm than
// the test's Uint8Array and Blob. Each is read a slice at a time, intact, with progress to 100%.
import { Blob as NodeBlob } from 'node:buffer';
import { firstValueFrom } from 'rxjs';
import { createSession, MissingGlobalError, type StoreProgress } from '../../lib';
import { DOCUMENT_CHUNK_BYTES, prepareDocuments, type DocumentSource } from '../../lib/documents/document-source';
import { DocumentsPayload } from '../../lib/documents/documents-body';
import { streamedText } from '../../lib/protocol/streamed-body';
import { startTestServer, type TestServer } from '../../lib/testing';
import { failure } from '../support/failure';

const ctx = { step: 'store' as const };

/** The bytes each document's body carries, decoded from the streamed store body. */
async function sentBytes(sources: DocumentSource[], onProgress?: (p: StoreProgress) => void): Promise<Buffer[]> {
  const body = new DocumentsPayload(await prepareDocuments(sources, ctx), {}, ctx, onProgress);
  const { files } = JSON.parse(await streamedText(body)) as { files: { content: string }[] };
  return files.map((f) => Buffer.from(f.content, 'base64'));
}

/** Bytes 0..255 over and over: any slice lost, doubled or out of order shows. */
const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

afterEach(() => jest.restoreAllMocks());

describe('documents in jest-environment-jsdom', () => {
  it('is jsdom: a File without arrayBuffer, stream or text; a Buffer that is no Uint8Array of this realm', () => {
    const file = new File(['x'], 'x.txt') as Partial<Blob>;
    expect([typeof file.arrayBuffer, typeof file.stream, typeof file.text]).toEqual(['undefined', 'undefined', 'undefined']);
    expect(typeof FileReader).toBe('function');
    expect(Buffer.from('x') instanceof Uint8Array).toBe(false);
    expect(new NodeBlob(['x']) instanceof Blob).toBe(false);
  });

  it('reads a jsdom File through FileReader, one slice per chunk, every byte in order, with progress to 100%', async () => {
    const size = 3 * DOCUMENT_CHUNK_BYTES + 5;
    const bytes = pattern(size);
    const file = new File([bytes], 'big.bin');
    const slice = jest.spyOn(file, 'slice');
    const read = jest.spyOn(FileReader.prototype, 'readAsArrayBuffer');
    const progress: StoreProgress[] = [];
    const [sent] = await sentBytes([file], (p) => progress.push(p));
    expect(Buffer.compare(sent!, Buffer.from(bytes))).toBe(0);
    expect(slice).toHaveBeenCalledTimes(4);
    expect(read).toHaveBeenCalledTimes(4);
    expect(progress.at(-1)).toMatchObject({ file: 'big.bin', fileBytesSent: size, bytesSent: size, totalBytes: size });
    expect(progress.map((p) => p.bytesSent)).toEqual([...progress.map((p) => p.bytesSent)].sort((a, b) => a - b));
  });

  it('reads a Blob that has stream() but no arrayBuffer() by streaming each slice', async () => {
    const bytes = pattern(2 * DOCUMENT_CHUNK_BYTES + 1);
    const blob = new NodeBlob([bytes]);
    Object.defineProperty(blob, 'arrayBuffer', { value: undefined });
    const stream = jest.spyOn(NodeBlob.prototype, 'stream');
    const whole = jest.spyOn(NodeBlob.prototype, 'arrayBuffer');
    const [sent] = await sentBytes([{ name: 'streamed.bin', data: blob as unknown as Blob }]);
    expect(Buffer.compare(sent!, Buffer.from(bytes))).toBe(0);
    expect(stream).toHaveBeenCalledTimes(3);
    expect(whole).not.toHaveBeenCalled();
  });

  it('takes a Node Buffer, ArrayBuffer and Blob of another realm as bytes', async () => {
    const unpooled = Buffer.alloc(12);
    unpooled.write('array buffer');
    expect(unpooled.buffer instanceof ArrayBuffer).toBe(false);
    const sent = await sentBytes([
      { name: 'a.bin', data: Buffer.from('buffer') },
      { name: 'b.bin', data: unpooled.buffer as ArrayBuffer },
      { name: 'c.bin', data: new NodeBlob(['node blob']) as unknown as Blob },
    ]);
    expect(sent.map((b) => b.toString())).toEqual(['buffer', 'array buffer', 'node blob']);
  });

  it('fails a Blob with neither arrayBuffer() nor stream() where there is no FileReader, naming it, before reading', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'FileReader')!;
    delete (globalThis as { FileReader?: unknown }).FileReader;
    try {
      const error = await failure(prepareDocuments([new File(['x'], 'x.txt')], ctx));
      expect(error).toBeInstanceOf(MissingGlobalError);
      expect((error as MissingGlobalError).globalName).toBe('FileReader');
      expect((error as MissingGlobalError).message).toMatch(/Blob of "x.txt", which has neither arrayBuffer\(\) nor stream\(\)/);
    } finally {
      Object.defineProperty(globalThis, 'FileReader', saved);
    }
  });

  describe('stored against the test server', () => {
    let server: TestServer;
    beforeAll(async () => (server = await startTestServer()));
    afterAll(() => server.stop());

    it('stores a multi-chunk jsdom File and text (no TextEncoder here) intact, each reported complete', async () => {
      const text = 'KISS keeps it simple: déjà vu, 漢字, 😀. '.repeat(20_000); // cuts land inside characters
      const session = createSession({ url: server.url });
      await firstValueFrom(session.open());
      const progress: StoreProgress[] = [];
      const stored = await firstValueFrom(
        session.store([new File([text], 'handbook.txt'), { name: 'faq.txt', data: 'Q: KISS? A: yes' }], { onProgress: (p) => progress.push(p) }),
      );
      expect(stored.fileNames).toEqual(['handbook.txt', 'faq.txt']);
      expect((await firstValueFrom(session.ask('what is stored?'))).supportingDocuments).toEqual([[text, 'Q: KISS? A: yes']]);
      expect(progress.filter((p) => p.fileBytesSent === p.fileBytes).map((p) => p.file)).toEqual(['handbook.txt', 'faq.txt']);
      expect(progress.length).toBeGreaterThan(4);
      await firstValueFrom(session.destroy());
    });
  });
});
