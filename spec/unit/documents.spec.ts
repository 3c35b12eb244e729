import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError, SessionMisuseError } from '../../lib/errors/kiss-error';
import { baseName, toWireFiles } from '../../lib/documents/document-source';
import { bytesToBase64 } from '../../lib/documents/base64';

const ctx = { step: 'store' as const };
const dir = mkdtempSync(join(tmpdir(), 'kiss-docs-'));
const notes = join(dir, 'notes.txt');
writeFileSync(notes, 'KISS keeps it simple');

async function documentError(p: Promise<unknown>): Promise<DocumentError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof DocumentError)) throw new Error(`expected DocumentError, got ${String(e)}`);
  return e;
}

describe('documents', () => {
  it('reads paths, bytes, buffers, blobs, files and text, sending base names only', async () => {
    const files = await toWireFiles(
      [
        notes,
        { name: 'dir/a.bin', data: new Uint8Array([1, 2, 3]) },
        { name: 'C:\\docs\\b.txt', data: Buffer.from('buf') },
        { name: 'c.txt', data: new Blob(['blob']) },
        new File(['file'], 'd.txt'),
        { name: 'e.txt', data: 'text' },
        { name: 'f.bin', data: new Uint8Array([9]).buffer },
      ],
      ctx,
    );
    expect(files.map((f) => f.name)).toEqual(['notes.txt', 'a.bin', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.bin']);
    const text = files.map((f) => Buffer.from(f.content, 'base64').toString('latin1'));
    expect(text).toEqual(['KISS keeps it simple', '\x01\x02\x03', 'buf', 'blob', 'file', 'text', '\x09']);
  });

  it('names a missing file instead of skipping it', async () => {
    const missing = join(dir, 'missing.pdf');
    const e = await documentError(toWireFiles([notes, missing], ctx));
    expect(e.fileName).toBe(missing);
    expect(e.message).toContain('missing.pdf');
    expect(e.message).toMatch(/does not exist/);
  });

  it('names a directory', async () => {
    expect((await documentError(toWireFiles(dir, ctx))).message).toMatch(/is a directory/);
  });

  // root reads any file, so this one is reported as skipped when the tests run as root
  // Root reads any file whatever its mode, so there is no unreadable file to make: the test is
  // skipped then, and its title in the report says why.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)(`names an unreadable file${asRoot ? ' [skipped: running as root, which can read a file of mode 000]' : ''}`, async () => {
    const locked = join(dir, 'locked.txt');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    expect((await documentError(toWireFiles(locked, ctx))).message).toMatch(/permission denied/);
  });

  it('rejects empty lists and unsupported inputs', async () => {
    await expect(toWireFiles([], ctx)).rejects.toBeInstanceOf(SessionMisuseError);
    await expect(toWireFiles({ name: 'x', data: 42 as unknown as string }, ctx)).rejects.toThrow(/unsupported type/);
    await expect(toWireFiles(42 as unknown as string, ctx)).rejects.toThrow(/not a path, File/);
    await expect(toWireFiles({ name: 'dir/', data: 'x' }, ctx)).rejects.toThrow(/no file name/);
  });

  it('encodes base64 the same with and without Buffer', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 256);
    const withBuffer = bytesToBase64(bytes);
    const saved = globalThis.Buffer;
    try {
      (globalThis as { Buffer?: unknown }).Buffer = undefined;
      expect(bytesToBase64(bytes)).toBe(withBuffer);
    } finally {
      globalThis.Buffer = saved;
    }
    expect(baseName('a/b\\c.txt')).toBe('c.txt');
  });
});
