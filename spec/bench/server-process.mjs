// Runs the embedded test server in its own process, as a real server would be: the benchmarks
// then measure the client's cost beside the baseline's, not the server's work on the same thread.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  const { startTestServer } = await import('kiss-ai-stack-rx/testing');
  const server = await startTestServer();
  process.send({ url: server.url, wsUrl: server.wsUrl });
  process.on('message', async (message) => {
    if (message === 'stop') {
      await server.stop();
      process.exit(0);
    }
  });
}

/** Starts the test server in a child process; resolves to its URLs and a stop function. */
export function startServerProcess() {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (urls) =>
      resolve({
        ...urls,
        stop: () => new Promise((done) => {
          child.once('exit', done);
          child.send('stop');
        }),
      }),
    );
  });
}
