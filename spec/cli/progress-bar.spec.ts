import { formatBytes, progressBar, progressLine, wantsProgress } from '../../lib/cli/progress-bar';
import type { StoreProgress } from '../../lib';

const at = (fileIndex: number, fileBytesSent: number, fileBytes: number, bytesSent: number, totalBytes: number, file = 'a.txt'): StoreProgress => ({
  file,
  fileIndex,
  fileBytesSent,
  fileBytes,
  bytesSent,
  totalBytes,
});

describe('the progress bar', () => {
  it('is drawn on a terminal, or when forced, and never into a pipe otherwise', () => {
    expect(wantsProgress({ isTTY: true }, false)).toBe(true);
    expect(wantsProgress({ isTTY: false }, false)).toBe(false);
    expect(wantsProgress({}, false)).toBe(false);
    expect(wantsProgress({}, true)).toBe(true);
  });

  it('shows the file, its place, and the bytes of the whole store', () => {
    expect(progressLine(at(0, 512, 1024, 512, 4096), 2, 80)).toBe('a.txt (1/2)  [##..................]  512 B of 4.0 KiB  12%');
    expect(progressLine(at(1, 3072, 3072, 4096, 4096, 'b.txt'), 2, 80)).toBe('b.txt (2/2)  [####################]  4.0 KiB of 4.0 KiB 100%');
    expect(progressLine(at(0, 0, 0, 0, 0, 'empty'), 1, 80)).toBe('empty (1/1)  [####################]  0 B of 0 B 100%');
  });

  it('shortens a long file name to fit the terminal', () => {
    const line = progressLine(at(0, 1, 2, 1, 2, `${'x'.repeat(100)}.pdf`), 1, 60);
    expect(line.length).toBe(59);
    expect(line).toMatch(/^x+… \(1\/1\) {2}\[/);
  });

  it('redraws the line in place and leaves one line per file', () => {
    let written = '';
    const draw = progressBar({ write: (text: string) => (written += text), columns: 80 }, 2);
    draw(at(0, 5, 10, 5, 20));
    draw(at(0, 10, 10, 10, 20));
    draw(at(1, 10, 10, 20, 20, 'b.txt'));
    expect(written.split('\n')).toEqual([
      '\ra.txt (1/2)  [#####...............]  5 B of 20 B  25%\u001b[K\ra.txt (1/2)  [##########..........]  10 B of 20 B  50%\u001b[K',
      '\rb.txt (2/2)  [####################]  20 B of 20 B 100%\u001b[K',
      '',
    ]);
  });

  it('writes sizes for people', () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 2, 3 * 1024 ** 4, 2 * 1024 ** 5].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 MiB', '3.0 TiB', '2048.0 TiB']);
  });
});
