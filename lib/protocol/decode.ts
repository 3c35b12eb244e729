/**
 * The decode boundary: raw text or JSON in, a typed value or one {@link DecodeError} out.
 * @module
 */
import { DecodeError, type ErrorContext } from '../errors/kiss-error.js';
import { previewValue } from '../errors/redact.js';
import type { NamedCodec } from './codec.js';
import { socketErrorCodec, type SocketErrorFrame, socketResultCodec, type SocketResponseFrame } from './codecs.js';

/**
 * Decodes `value` with `codec`, or throws a {@link DecodeError} naming the deepest failing path and
 * the value found there (redacted, truncated).
 * @internal
 */
export function decodeOrThrow<A>(codec: NamedCodec<A>, value: unknown, context: ErrorContext = {}): A {
  // Fast path: the codec's io-ts guard builds no error reports and copies nothing, which matters
  // at thousands of frames a second. Only a value it refuses is looked into, for an account of
  // what is wrong.
  if (codec.is(value)) return value;
  const failure = codec.explain(value, '', 0);
  // The guard refuses, and io-ts's decoder takes, an object without a field whose codec takes
  // undefined (`extras: unknown`). The protocol's codecs transform nothing, so the value itself is
  // returned, as on the fast path, with every field the server sent.
  if (!failure) return value as A;
  throw new DecodeError(codec.name, failure.path, previewValue(failure.actual), context);
}

/**
 * Parses JSON text, or throws a {@link DecodeError} showing the start of the text.
 * @internal
 */
export function parseJson(text: string, expected: string, context: ErrorContext = {}): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DecodeError(expected, '', `non-JSON text ${previewValue(text)}`, context);
  }
}

/**
 * Parses JSON text leniently: `undefined` when it is not JSON (a 500's plain text, a proxy's page).
 * @internal
 */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses then decodes in one step.
 * @internal
 */
export function decodeJson<A>(codec: NamedCodec<A>, text: string, context: ErrorContext = {}): A {
  return decodeOrThrow(codec, parseJson(text, codec.name, context), context);
}

/**
 * True for a failure frame (`error: true`). A frame whose `error` is anything else (absent,
 * `false`, `null`) is an answer, and is decoded as one.
 * @internal
 */
export function isSocketErrorFrame(frame: SocketResponseFrame): frame is SocketErrorFrame {
  return (frame as { error?: unknown }).error === true;
}

/**
 * Parses and decodes one server socket frame: a failure frame when its `error` is `true`, else an
 * answer frame.
 * @internal
 */
export function decodeSocketFrame(text: string, context: ErrorContext = {}): SocketResponseFrame {
  const value = parseJson(text, 'SocketResponse', context);
  const failure = !!value && typeof value === 'object' && (value as { error?: unknown }).error === true;
  return failure ? decodeOrThrow(socketErrorCodec, value, context) : decodeOrThrow(socketResultCodec, value, context);
}
