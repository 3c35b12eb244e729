/**
 * One HTTP exchange: POST, read, decode, or a typed error. Cancelling aborts the request.
 * @module
 */
import type { Settle } from '../client/call.js';
import { type ErrorContext, KissError } from '../errors/kiss-error.js';
import { errorFromHttpResponse, errorFromNetworkFailure } from '../errors/from-response.js';
import { encodeBody } from '../protocol/encode.js';
import type { HttpReply, HttpRequester } from './http-requester.js';

export type { FetchLike } from './http-requester.js';

/** @internal Everything one exchange needs. */
export interface HttpExchange<T> {
  requester: HttpRequester;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Turns a 2xx reply into the result (decoding happens here), or throws. */
  read: (text: string, reply: HttpReply) => T;
  context: ErrorContext;
}

/**
 * Starts one POST exchange; returns the function that aborts it.
 * @internal
 */
export function startHttpCall<T>(exchange: HttpExchange<T>, settle: Settle<T>): () => void {
  const { context } = exchange;
  const controller = new AbortController();
  const run = async (): Promise<T> => {
    let reply: HttpReply;
    try {
      reply = await exchange.requester({
        url: exchange.url,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...exchange.headers },
        body: encodeBody(exchange.body),
        signal: controller.signal,
      });
    } catch (error) {
      throw errorFromNetworkFailure(error, context);
    }
    if (reply.status < 200 || reply.status > 299) throw errorFromHttpResponse(reply.status, reply.text, context, reply.header('retry-after'));
    return exchange.read(reply.text, reply);
  };
  run().then(settle.ok, (error: unknown) => settle.fail(error instanceof KissError ? error : errorFromNetworkFailure(error, context)));
  return () => controller.abort();
}
