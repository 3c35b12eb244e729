/**
 * The decode boundary: raw text or JSON in, a typed value or one {@link DecodeError} out.
 * @module
 */
import { DecodeError, type ErrorContext } from '../errors/kiss-error.js';
import { previewValue } from '../errors/redact.js';
import type { NamedCodec } from './codec.js';
import { socketErrorCodec, type SocketErrorFrame, socketResultCodec, type SocketResponseFrame } from './codecs.js';
import type * as D from 'io-ts/lib/Decoder.js';

/** The deepest failure in an io-ts decode error: its path, and the value found there. */
interface Failure {
  readonly depth: number;
  readonly path: string;
  readonly actual: unknown;
}

/**
 * Finds the deepest failure (the most specific: a union reports one per branch), the first of
 * equals, and renders its path (`extras.distances[0]`), skipping union branches. A loop, not a
 * recursion: io-ts chains the failures of an array's items one inside the other, as deep as the
 * array is long.
 */
function deepestFailure(errors: D.DecodeError): Failure {
  let deepest: Failure | undefined;
  const stack: [D.DecodeError, string, number][] = [[errors, '', 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, path, depth] = next;
    if (node._tag === 'Concat') {
      stack.push([node.right, path, depth], [node.left, path, depth]);
      continue;
    }
    const e = node.value;
    if (e._tag === 'Leaf') {
      if (!deepest || depth > deepest.depth) deepest = { depth, path, actual: e.actual };
    } else if (e._tag === 'Key') stack.push([e.errors, path ? `${path}.${e.key}` : e.key, depth + 1]);
    else if (e._tag === 'Index') stack.push([e.errors, `${path}[${e.index}]`, depth + 1]);
    else stack.push([e.errors, path, depth + 1]); // a union's branch (Member), or a Lazy or Wrap: no path of their own
  }
  return deepest!;
}

/**
 * Decodes `value` with `codec`, or throws a {@link DecodeError} naming the deepest failing path and
 * the value found there (redacted, truncated).
 * @internal
 */
export function decodeOrThrow<A>(codec: NamedCodec<A>, value: unknown, context: ErrorContext = {}): A {
  // Fast path: the codec's io-ts guard builds no error reports and copies nothing, which matters
  // at thousands of frames a second. Only a value it refuses is decoded, for the decoder's account
  // of what is wrong.
  if (codec.is(value)) return value;
  const result = codec.decode(value);
  // The guard refuses, and the decoder takes, an object without a field whose codec takes
  // undefined (`extras: unknown`). io-ts's decoder would return a copy with only the fields it
  // names; the protocol's codecs transform nothing, so the value itself is returned, as on the fast
  // path, with every field the server sent. A plain tag check rather than fp-ts's `isLeft`: our
  // code then pulls in no fp-ts module of its own.
  if (result._tag === 'Right') return value as A;
  const failure = deepestFailure(result.left);
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
