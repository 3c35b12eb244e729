/**
 * `kiss-stack demo`: the README's lifecycle on the embedded test server, step by step.
 * @module
 */
import type { CliContext } from './context.js';
import { describeStored } from './store.js';
import { untilInterrupted, withSession } from './session-runner.js';

/** The document the demo stores, and what it asks about it. */
const DOCUMENT = { name: 'kiss.txt', data: 'KISS stands for Keep It Simple, Stupid.' };
const QUESTION = 'According to kiss.txt, what does KISS stand for?';

/**
 * Starts the embedded test server (`kiss-ai-stack-rx/testing`) on a free loopback port, then
 * opens a temporary session, stores a small document, asks about it and destroys the session,
 * printing each step. Needs no server and no URL.
 *
 * @example
 * ```ts
 * await demo(context, { transport: 'socket', timeout: undefined });
 * ```
 */
export async function demo(context: CliContext, options: { transport: 'rest' | 'socket'; timeout: number | undefined }): Promise<void> {
  const { output } = context;
  const step = (name: string, text: string) => output.result(`✔ ${name.padEnd(8)} ${text}`);
  // Loaded only here: the other commands never start a server.
  const { startTestServer } = await import('../testing/index.js');
  const server = await startTestServer();
  try {
    output.result(`server: ${server.url} (the embedded test server), over ${options.transport}`);
    const connection = { url: server.url, transport: options.transport, scope: 'temporary', timeout: options.timeout, credentials: undefined, json: false } as const;
    const clientId = await withSession(connection, context, async (session) => {
      step('open', `client ${session.clientId ?? '?'} (temporary): authorized and bootstrapped`);
      const stored = await untilInterrupted(context, session.store(DOCUMENT, { metadata: { source: 'demo' } }));
      step('store', describeStored(stored).join('; '));
      const answer = await untilInterrupted(context, session.ask(QUESTION));
      step('ask', answer.text);
      output.result(`${' '.repeat(11)}supported by: ${JSON.stringify(answer.supportingDocuments)}`);
      return session.clientId;
    });
    const ended = server.clients.find((client) => client.id === clientId)?.active === false;
    step('destroy', ended ? 'the temporary client has ended on the server' : 'destroyed');
    output.result('done: the whole lifecycle ran.');
  } finally {
    await server.stop();
  }
}
