/**
 * The REST side of the wire: one POST per step, bearer header, decoded envelope.
 * @module
 */
import type { Settle } from '../call/call.js';
import type { ErrorContext, Step } from '../errors/kiss-error.js';
import {
  authResponseCodec,
  stackResponseCodec,
  type AuthRequestBody,
  type AuthResponseBody,
  type StackResponseBody,
} from '../protocol/codecs.js';
import { decodeJson } from '../protocol/decode.js';
import type { Endpoint } from './endpoint.js';
import { stepContexts } from '../call/contexts.js';
import { startHttpCall } from './http-call.js';
import type { HttpRequester } from './http-requester.js';

/** The steps after authorization. */
type StackStep = Exclude<Step, 'authorize'>;

const PATHS: Record<StackStep, string> = {
  bootstrap: '/sessions?action=init',
  ask: '/queries',
  store: '/documents',
  destroy: '/sessions?action=close',
};

/** @internal An authorization as it came off the wire, with the server's clock when it was sent. */
export interface AuthReply {
  body: AuthResponseBody;
  /** The response's `Date` header, in ms since the epoch, when it had a readable one. */
  serverDate: number | undefined;
}

/** @internal */
export interface RestTransport {
  /** The context errors of `step` carry. */
  context(step: Step): ErrorContext;
  authorize(body: AuthRequestBody, settle: Settle<AuthReply>): () => void;
  /** POSTs a step's body with the bearer token. */
  send(step: StackStep, token: string, body: unknown, settle: Settle<StackResponseBody>): () => void;
}

/**
 * One client's REST side. A class, so that its methods live on the prototype: every open session
 * holds one, and closures of its own would cost each of them a few hundred bytes.
 */
class Rest implements RestTransport {
  readonly #contexts: Record<Step, ErrorContext>;
  readonly #requester: HttpRequester;
  readonly #headers: Record<string, string>;

  constructor(contexts: Record<Step, ErrorContext>, requester: HttpRequester, headers: Record<string, string>) {
    this.#contexts = contexts;
    this.#requester = requester;
    this.#headers = headers;
  }

  context(step: Step): ErrorContext {
    return this.#contexts[step];
  }

  authorize(body: AuthRequestBody, settle: Settle<AuthReply>): () => void {
    const context = this.#contexts.authorize;
    return startHttpCall(
      {
        requester: this.#requester,
        url: context.url!,
        headers: this.#headers,
        body,
        context,
        secrets: ['client_secret' in body ? body.client_secret : undefined],
        read: (text, reply) => {
          const date = Date.parse(reply.header('date') ?? '');
          return { body: decodeJson(authResponseCodec, text, context), serverDate: Number.isNaN(date) ? undefined : date };
        },
      },
      settle,
    );
  }

  send(step: StackStep, token: string, body: unknown, settle: Settle<StackResponseBody>): () => void {
    const context = this.#contexts[step];
    return startHttpCall(
      {
        requester: this.#requester,
        url: context.url!,
        headers: { ...this.#headers, Authorization: `Bearer ${token}` },
        body,
        context,
        secrets: [token],
        read: (text) => decodeJson(stackResponseCodec, text, context),
      },
      settle,
    );
  }
}

/** @internal */
export function createRestTransport(endpoint: Endpoint, requester: HttpRequester, headers: Record<string, string>): RestTransport {
  const base = endpoint.httpBase;
  return new Rest(stepContexts('POST', base, (step) => `${base}${step === 'authorize' ? '/auth' : PATHS[step]}`), requester, headers);
}
