/**
 * The REST side of the wire: one POST per step, bearer header, decoded envelope.
 * @module
 */
import type { Observable } from 'rxjs';
import type { ErrorContext, Step } from '../errors/kiss-error.js';
import { authResponseCodec, type AuthRequestBody, type AuthResponseBody, type StackResponseBody } from '../protocol/codecs.js';
import { decodeJson } from '../protocol/decode.js';
import { stackResponseCodec } from '../protocol/codecs.js';
import type { Endpoint } from './endpoint.js';
import { type FetchLike, httpCall } from './http-call.js';

const PATHS: Record<Exclude<Step, 'authorize'>, string> = {
  bootstrap: '/sessions?action=init',
  ask: '/queries',
  store: '/documents',
  destroy: '/sessions?action=close',
};

/** @internal */
export interface RestTransport {
  /** The context errors of `step` carry. */
  context(step: Step): ErrorContext;
  authorize(body: () => AuthRequestBody): Observable<AuthResponseBody>;
  /** POSTs a step's body with the bearer token; `prepare` runs at subscription and may throw. */
  send(step: Exclude<Step, 'authorize'>, prepare: () => Promise<{ token: string; body: unknown }>): Observable<StackResponseBody>;
}

/** @internal */
export function createRestTransport(endpoint: Endpoint, fetch: FetchLike, headers: Record<string, string>): RestTransport {
  const context = (step: Step): ErrorContext => ({
    step,
    method: 'POST',
    url: `${endpoint.httpBase}${step === 'authorize' ? '/auth' : PATHS[step]}`,
  });
  return {
    context,
    authorize(body) {
      const ctx = context('authorize');
      return httpCall({
        fetch,
        url: ctx.url!,
        context: ctx,
        prepare: () => ({ headers, body: body() }),
        read: (text) => decodeJson(authResponseCodec, text, ctx),
      });
    },
    send(step, prepare) {
      const ctx = context(step);
      return httpCall({
        fetch,
        url: ctx.url!,
        context: ctx,
        prepare: async () => {
          const { token, body } = await prepare();
          return { headers: { ...headers, Authorization: `Bearer ${token}` }, body };
        },
        read: (text) => decodeJson(stackResponseCodec, text, ctx),
      });
    },
  };
}
