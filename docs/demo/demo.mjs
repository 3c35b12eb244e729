#!/usr/bin/env node
// The whole session lifecycle against a KISS AI Stack server, one Observable per step:
// authorize → bootstrap → ask → store a document → ask about it → destroy.
//
//   npm run demo                              # against the embedded test server
//   npm run demo -- --url http://localhost:8080   # against a real server
//   npm run demo -- --socket                      # over the multiplexed WebSocket
import { concatMap, defer, firstValueFrom, from, lastValueFrom, tap, toArray } from 'rxjs';
import { createClient, isKissError } from 'kiss-ai-stack-rx';
import { startTestServer } from 'kiss-ai-stack-rx/testing';

const args = process.argv.slice(2);
const urlIndex = args.indexOf('--url');
const url = urlIndex >= 0 ? args[urlIndex + 1] : process.env.KISS_STACK_URL;
if (urlIndex >= 0 && !url) {
  console.error('--url needs a value, e.g. --url http://localhost:8080');
  process.exit(2);
}

const server = url ? undefined : await startTestServer();
const transport = args.includes('--socket') ? 'socket' : 'rest';
const client = createClient({ url: url ?? server.url, transport });
console.log(`server: ${client.endpoint.httpBase}${server ? ' (embedded test server)' : ''}, over ${transport}`);

const step = (name, describe) => tap((value) => console.log(`✔ ${name.padEnd(10)} ${describe(value)}`));

try {
  const auth = await firstValueFrom(
    client.authorize({ scope: 'temporary' }).pipe(step('authorize', (a) => `client ${a.clientId} (${a.scope})`)),
  );
  const steps = [
    () => client.bootstrap(auth).pipe(step('bootstrap', (r) => r.message)),
    () => client.ask(auth, 'What does KISS stand for?').pipe(step('ask', (a) => a.text)),
    () =>
      client
        .store(auth, { name: 'kiss.txt', data: 'KISS stands for Keep It Simple, Stupid.' }, { metadata: { source: 'demo' } })
        .pipe(step('store', (s) => `${s.fileNames.join(', ')} → ids ${s.ids.join(', ')}`)),
    () =>
      client.ask(auth, 'According to kiss.txt, what does KISS stand for?').pipe(
        step('ask', (a) => `${a.text}${a.supportingDocuments ? `\n             supported by: ${JSON.stringify(a.supportingDocuments)}` : ''}`),
      ),
    () => client.destroy(auth).pipe(step('destroy', (r) => r.message)),
  ];
  await lastValueFrom(from(steps).pipe(concatMap((run) => defer(run)), toArray()));
  console.log('done: the whole lifecycle ran.');
} catch (error) {
  console.error(`✘ ${isKissError(error) ? `[${error.kind}] ${error.message}` : error}`);
  process.exitCode = 1;
} finally {
  client.dispose();
  await server?.stop();
}
