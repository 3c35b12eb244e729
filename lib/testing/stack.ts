/**
 * What a client's stack does: bootstrap, ask (a deterministic echo, or the test's answer script),
 * store, close. Shared by the REST routes and the socket; `undefined` means the stack raised (the
 * caller answers 500 or closes).
 * A deactivated client's stack is gone: everything but store raises (over REST the bearer check
 * refuses it first; an open socket gets this far).
 * @module
 */
import { answerExtras, scriptedReply, type AnswerScript, type QuestionAsked } from './answers.js';
import type { Client } from './clients.js';
import { frozenCopy } from './frozen.js';
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

/** @internal How an ask is answered: by the default echo, or by the test's script. */
export interface AskOptions {
  /** The test's answer script; the default echo without one. */
  script: AnswerScript | undefined;
  transport: 'http' | 'ws';
  /** Told what the script threw (the ask then raises). */
  onScriptError: (error: unknown) => void;
}

/**
 * @internal The default is `Answer to "<query>"`, plus ` from <names>` and the documents' data when
 * some are stored; a script answers instead when there is one (asynchronously, then).
 */
export function ask(client: Client, body: QueryBody, options: AskOptions): StackReply | undefined | Promise<StackReply | undefined> {
  if (!client.active || !client.bootstrapped) return undefined;
  return options.script ? scriptedAnswer(client, body.query, options.script, options) : defaultAnswer(client, body.query);
}

function defaultAnswer(client: Client, query: string): StackReply {
  const docs = client.documents;
  if (docs.length === 0) return reply(client, `Answer to "${query}"`, answerExtras(query, undefined));
  return reply(client, `Answer to "${query}" from ${docs.map((d) => d.name).join(', ')}`, answerExtras(query, docs));
}

/** The script's answer (undefined: the default one); a script that throws, or returns something that is no answer, makes the ask raise. */
async function scriptedAnswer(client: Client, query: string, script: AnswerScript, options: AskOptions): Promise<StackReply | undefined> {
  const asked: QuestionAsked = Object.freeze({
    question: query,
    documents: frozenCopy(client.documents.map(({ id, name, text, metadata }) => ({ id, name, text, metadata }))),
    clientId: client.id,
    transport: options.transport,
  });
  try {
    const answer = await script(asked);
    if (answer === undefined) return defaultAnswer(client, query);
    const { text, extras } = scriptedReply(query, answer);
    return reply(client, text, extras);
  } catch (error) {
    options.onScriptError(error);
    return undefined;
  }
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
