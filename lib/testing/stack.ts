/**
 * What a client's stack does: bootstrap, ask (a deterministic echo), store, close. Shared by the
 * REST routes and the socket; `undefined` means the stack raised (the caller answers 500 or closes).
 * A deactivated client's stack is gone: everything but store raises (over REST the bearer check
 * refuses it first; an open socket gets this far).
 * @module
 */
import type { Client } from './clients.js';
import type { QueryBody, StoreBody } from './validation.js';

/** @internal The `{ stack_id, result, extras }` envelope of every success. */
export interface StackReply {
  stack_id: string;
  result: string | null;
  extras: unknown;
}

/** @internal The tool name keying the document ids of a store. */
export const DOCUMENTS_TOOL = 'documents';

const reply = (client: Client, result: string, extras: unknown): StackReply => ({ stack_id: client.id, result, extras });

/** @internal Bootstrapping twice is allowed. */
export function bootstrap(client: Client): StackReply | undefined {
  if (!client.active) return undefined;
  client.bootstrapped = true;
  return reply(client, 'Greetings!', null);
}

/** @internal `Answer to "<query>"`, plus ` from <names>` and the documents' data when some are stored. */
export function ask(client: Client, body: QueryBody): StackReply | undefined {
  if (!client.active || !client.bootstrapped) return undefined;
  const docs = client.documents;
  if (docs.length === 0) {
    return reply(client, `Answer to "${body.query}"`, { query: body.query, metadata: null, distances: null, supporting_documents: null });
  }
  return reply(client, `Answer to "${body.query}" from ${docs.map((d) => d.name).join(', ')}`, {
    query: body.query,
    metadata: [docs.map((d) => d.metadata)],
    distances: [docs.map((_, i) => (i + 1) / 10)],
    supporting_documents: [docs.map((d) => d.text)],
  });
}

/**
 * @internal Stores every file under its base name, decoding base64 leniently. Never raises: the
 * server's store handler swallows every error and still answers "Files stored", with extras null
 * and nothing stored. That happens before bootstrap, after a close, and when `fail()` says so
 * (asked only once the stack is bootstrapped, so a refused store does not use up a planned failure).
 */
export function store(client: Client, body: StoreBody, fail: () => boolean): StackReply {
  if (!client.active || !client.bootstrapped || fail()) return reply(client, 'Files stored', null);
  const ids = body.files.map((file) => {
    const id = `${client.id}-doc-${++client.documentsEverStored}`;
    const text = Buffer.from(file.content, 'base64').toString('utf8');
    client.documents.push({ id, name: baseName(file.name), text, metadata: { ...body.metadata } });
    return id;
  });
  return reply(client, 'Files stored', { [DOCUMENTS_TOOL]: ids });
}

/** @internal A temporary client ends here (deactivated, documents dropped); a persistent one can bootstrap again. */
export function close(client: Client): StackReply | undefined {
  if (!client.active || !client.bootstrapped) return undefined;
  client.bootstrapped = false;
  if (client.scope === 'temporary') {
    client.active = false;
    client.documents = [];
  }
  return reply(client, 'Good bye!', null);
}

/** `a/b/c.txt` and `a\\b\\c.txt` → `c.txt`. */
export function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}
