// The whole session lifecycle against a KISS AI Stack server, with the session API the README
// leads with: open (authorize + bootstrap) → ask → store a document (with progress) → ask about
// it → destroy. Run by `npm run demo` straight from the sources (docs/demo/run.mjs), no build.
//
//   npm run demo                                  # against the embedded test server
//   npm run demo -- --url http://localhost:8080   # against a real server
//   npm run demo -- --socket                      # over the multiplexed WebSocket
import { parseArgs } from 'node:util';
import { createSession, isKissError } from 'kiss-ai-stack-rx';
import { socketTransport } from 'kiss-ai-stack-rx/socket';
import { startTestServer, type TestServer } from 'kiss-ai-stack-rx/testing';
import { firstValueFrom } from 'rxjs';

const { values } = parseArgs({ options: { url: { type: 'string' }, socket: { type: 'boolean', default: false } } });
const url = values.url ?? (process.env.KISS_STACK_URL || undefined);
const server: TestServer | undefined = url ? undefined : await startTestServer();
const step = (name: string, text: string) => console.log(`✔ ${name.padEnd(9)} ${text}`);

const session = createSession({ url: url ?? server!.url, transport: values.socket ? socketTransport : 'rest' });
console.log(`server: ${session.client.endpoint.httpBase}${server ? ' (embedded test server)' : ''}, over ${session.client.transport}`);
try {
  await firstValueFrom(session.open());
  step('open', `client ${session.clientId} (temporary): authorized and bootstrapped`);

  step('ask', (await firstValueFrom(session.ask('What does KISS stand for?'))).text);

  // Progress on a terminal, redrawn in place; nothing when the output goes to a file or a pipe.
  const tty = process.stdout.isTTY;
  const document = { name: 'kiss.txt', data: 'KISS stands for Keep It Simple, Stupid.' };
  const stored = await firstValueFrom(
    session.store(document, {
      metadata: { source: 'demo' },
      onProgress: (p) => tty && process.stdout.write(`\r  storing ${p.file}: ${p.bytesSent} of ${p.totalBytes} bytes`),
    }),
  );
  if (tty) process.stdout.write('\r\x1b[K');
  step('store', `${stored.fileNames.join(', ')} → ids ${stored.ids.join(', ')}`);

  const answer = await firstValueFrom(session.ask('According to kiss.txt, what does KISS stand for?'));
  step('ask', answer.text);
  console.log(`          supported by: ${JSON.stringify(answer.supportingDocuments)}`);

  step('destroy', (await firstValueFrom(session.destroy())).message ?? '');
  console.log('done: the whole lifecycle ran.');
} catch (error) {
  console.error(`✘ ${isKissError(error) ? `[${error.kind}] ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  session.close();
  await server?.stop();
}
