/**
 * The decode boundary: raw text or JSON in, a typed value or one {@link DecodeError} out.
 * @module
 */
import * as t from 'io-ts';
import { DecodeError, type ErrorContext } from '../errors/kiss-error.js';
import { previewValue } from '../errors/redact.js';
import { socketErrorCodec, type SocketErrorFrame, socketResultCodec, type SocketResponseFrame } from './codecs.js';

/** Renders an io-ts context as a readable path (`extras.distances[0]`), skipping union branches. */
function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.type;
    const { key } = context[i]!;
    if (parent instanceof t.UnionType || parent instanceof t.IntersectionType) continue;
    if (parent instanceof t.ArrayType) path += `[${key}]`;
    else path += path ? `.${key}` : key;
  }
  return path;
}

/**
 * Decodes `value` with `codec`, or throws a {@link DecodeError} naming the deepest failing path and
 * the value found there (redacted, truncated).
 * @internal
 */
export function decodeOrThrow<C extends t.Mixed>(codec: C, value: unknown, context: ErrorContext = {}): t.TypeOf<C> {
  // Fast path: the protocol's codecs transform nothing, so a value that `is` the type decodes to
  // itself; `is` allocates no error reports, which matters at thousands of frames a second.
  if (codec.is(value)) return value;
  const result = codec.decode(value);
  // A plain tag check rather than fp-ts's `isLeft`: our code then pulls in no fp-ts module of its
  // own, only what io-ts's build itself imports.
  if (result._tag === 'Right') return result.right;
  // The longest context is the most specific failure (unions report one per branch).
  const deepest = result.left.reduce((a, b) => (b.context.length > a.context.length ? b : a));
  throw new DecodeError(codec.name, pathOf(deepest.context), previewValue(deepest.value), context);
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
export function decodeJson<C extends t.Mixed>(codec: C, text: string, context: ErrorContext = {}): t.TypeOf<C> {
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
