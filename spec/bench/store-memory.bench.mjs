// Memory, not time: storing one 64 MB file over REST through the built client, the peak growth of
// the process's resident set over its baseline, as a multiple of the file's size. Each measure runs
// in a fresh child Node process (`--expose-gc`), so nothing the runner or another row did counts:
// the child writes the file, authorizes and bootstraps, collects garbage, takes its baseline, then
// stores the file while sampling RSS every few milliseconds (and, on Linux, reading the kernel's
// own peak, VmHWM, after resetting it), and finally checks the file was stored once and intact by
// asking: the test server's deterministic answer carries the stored documents' text.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE_BYTES = 64 * 1024 * 1024;
const SAMPLE_MS = 5;

if (process.argv[2] === '--child') await child(process.argv[3]);

/** Runs one measurement in a fresh process; resolves to peak RSS growth / file size. */
function measure({ server }) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', server.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    proc.once('error', reject);
    proc.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      let result;
      try {
        result = JSON.parse(line);
      } catch {
        return reject(new Error(`the store-memory child exited with ${code} and printed no result: ${out.slice(-500)}`));
      }
      if (!result.ok) return reject(new Error(`store-memory: ${result.problem}`));
      process.stderr.write(
        `    peak +${(result.peakGrowth / 2 ** 20).toFixed(1)} MiB over ${(result.baseline / 2 ** 20).toFixed(1)} MiB ` +
          `(sampled ${result.samples}×, VmHWM ${result.hwmGrowth === null ? 'n/a' : `+${(result.hwmGrowth / 2 ** 20).toFixed(1)} MiB`}), ` +
          `store took ${result.storeMs.toFixed(0)} ms, ${result.progressEvents ?? 'no'} progress events\n`,
      );
      resolve(result.peakGrowth / FILE_BYTES);
    });
  });
}

/** The child: measure one store, print one JSON line. */
async function child(url) {
  const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'kiss-store-memory-'));
  const path = join(dir, 'big.txt');
  try {
    const { createClient } = await import('kiss-ai-stack-rx');
    const { firstValueFrom } = await import('rxjs');

    // The file, written 1 MiB at a time so the writer never holds it whole: printable ASCII, so
    // the test server's answer (which decodes stored bytes as UTF-8 text) carries it byte for byte.
    const alphabet = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ \n');
    const hash = createHash('sha256');
    const fd = openSync(path, 'w');
    for (let written = 0; written < FILE_BYTES; ) {
      const chunk = randomBytes(Math.min(2 ** 20, FILE_BYTES - written));
      for (let i = 0; i < chunk.length; i++) chunk[i] = alphabet[chunk[i] % alphabet.length];
      writeSync(fd, chunk);
      hash.update(chunk);
      written += chunk.length;
    }
    closeSync(fd);
    const expected = hash.digest('hex');

    const client = createClient({ url, timeout: 300_000 });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    // Warm the REST path (pool, JIT) with a small store, so the baseline includes it.
    await firstValueFrom(client.store(auth, { name: 'warm.txt', data: 'warm' }));

    const hwm = peakTracker();
    for (let i = 0; i < 3; i++) globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
    globalThis.gc();
    const baseline = process.memoryUsage.rss();
    hwm.reset();
    let peak = baseline;
    let samples = 0;
    const sample = () => {
      samples++;
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    };
    const timer = setInterval(sample, SAMPLE_MS);
    let progressEvents = 0;
    let last;
    const started = performance.now();
    sample();
    const stored = await firstValueFrom(
      client.store(auth, path, {
        onProgress: (p) => {
          progressEvents++;
          last = p;
          sample();
        },
      }),
    );
    sample();
    const storeMs = performance.now() - started;
    clearInterval(timer);
    const hwmPeak = hwm.read();
    const hwmGrowth = hwmPeak === null ? null : hwmPeak - baseline;
    const peakGrowth = Math.max(peak - baseline, hwmGrowth ?? 0);

    // Stored once and intact: one new document id, and the stored text hashes to the file's.
    const problems = [];
    if (stored.ids.length !== 1) problems.push(`the store answered ${stored.ids.length} ids`);
    if (last !== undefined && (last.bytesSent !== FILE_BYTES || last.totalBytes !== FILE_BYTES)) problems.push(`progress ended at ${last.bytesSent}/${last.totalBytes}`);
    const answer = await firstValueFrom(client.ask(auth, 'What is in the big file?'));
    const texts = (answer.supportingDocuments?.[0] ?? []).filter((_, i) => i > 0); // [0] is warm.txt
    if (texts.length !== 1) problems.push(`the server holds ${texts.length} copies of the file`);
    else if (createHash('sha256').update(String(texts[0]), 'utf8').digest('hex') !== expected) problems.push('the stored text differs from the file');
    await firstValueFrom(client.destroy(auth));
    report(problems.length ? { ok: false, problem: problems.join('; ') } : { ok: true, baseline, peakGrowth, hwmGrowth, samples, storeMs, progressEvents: progressEvents || undefined });
  } catch (error) {
    report({ ok: false, problem: String(error?.stack ?? error) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

/**
 * The kernel's own peak RSS (VmHWM), reset through /proc/self/clear_refs (Linux); read() is null
 * where either is unavailable, and then only the samples count.
 */
function peakTracker() {
  let usable = false;
  return {
    reset() {
      try {
        writeFileSync('/proc/self/clear_refs', '5');
        usable = true;
      } catch {
        usable = false;
      }
    },
    read() {
      if (!usable) return null;
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
        return match ? Number(match[1]) * 1024 : null;
      } catch {
        return null;
      }
    },
  };
}

export const rows = [
  {
    name: 'store 64 MB file over REST: peak RSS growth / file size',
    target: 1.5,
    better: 'lower',
    unit: '×',
    measure,
  },
];
