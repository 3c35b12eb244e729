// Heap per open session, on each transport: a child process (so nothing else shares its heap)
// opens N sessions against the test server, collects garbage, and reports the heap growth per
// session. The sessions stay open (a socket session holds its open socket) while it is measured.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const N = 500;

if (process.argv[2] === '--child') {
  const [, , , url, transport] = process.argv;
  const { firstValueFrom } = await import('rxjs');
  const { createSession } = await import('kiss-ai-stack-rx');
  const { socketTransport } = await import('kiss-ai-stack-rx/socket');
  const option = transport === 'socket' ? socketTransport : 'rest';
  // Warm the code paths first, so the measurement counts sessions, not compiled code.
  for (let i = 0; i < 100; i++) {
    const s = createSession({ url, transport: option });
    await firstValueFrom(s.open());
    await firstValueFrom(s.destroy());
  }
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const sessions = [];
  for (let i = 0; i < N; i++) {
    const s = createSession({ url, transport: option });
    await firstValueFrom(s.open());
    sessions.push(s);
  }
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(String((after - before) / N / 1024));
  for (const s of sessions) s.close();
  setTimeout(() => process.exit(0), 50);
}

const measure = (transport) => ({ server }) =>
  Number(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', server.url, transport], { encoding: 'utf8' }));

export const rows = [
  { name: 'heap per open session, socket transport', target: 8, better: 'lower', unit: 'KB', measure: measure('socket') },
  { name: 'heap per open session, REST', target: 6, better: 'lower', unit: 'KB', measure: measure('rest') },
];
