/**
 * The few combinators the protocol's codecs are built from. Each codec is an io-ts `Guard`, which
 * checks a value (every message goes through one) without allocating, and says, for a value its
 * guard refuses, where it fails and what it found there: the deepest failing path, as io-ts's
 * `Decoder` would report it (the first of equally deep ones, members of a union one level down),
 * without io-ts's Decoder module and the fp-ts machinery behind it (1.8 KB min+gzip of a browser
 * bundle).
 *
 * The Guard module is imported by its CommonJS file, which Node loads from dist/esm too
 * (`io-ts/Guard` is a folder, which Node's ES module loader does not resolve). The package's
 * `browser` field maps it to io-ts/es6/Guard.js, an ES module that bundlers tree-shake to what is
 * used here; io-ts's index module is one file that cannot be tree-shaken.
 * @module
 */
import * as G from 'io-ts/lib/Guard.js';

/**
 * Where a value fails a codec: the path (`extras.distances[0]`), how deep it lies (members of a
 * union count one level), and the value found there.
 * @internal
 */
export interface Failure {
  readonly depth: number;
  readonly path: string;
  readonly actual: unknown;
}

/**
 * An io-ts guard of one type, which also explains a refusal.
 * @internal
 */
export interface Codec<A> extends G.Guard<unknown, A> {
  /**
   * The deepest failure of `value` found at `path`, `depth` levels down; none when io-ts's Decoder
   * would take it (it takes an object that lacks a field whose codec takes undefined, which the
   * guard refuses).
   */
  explain(value: unknown, path: string, depth: number): Failure | undefined;
}

/**
 * A codec with the name a `DecodeError` calls what it decodes by, e.g. `AuthResponse`.
 * @internal
 */
export interface NamedCodec<A> extends Codec<A> {
  readonly name: string;
}

/**
 * The type a codec checks.
 * @internal
 */
export type TypeOf<C> = C extends Codec<infer A> ? A : never;

type Literal = string | number | boolean | null;
type Explain = Codec<unknown>['explain'];

/** The deeper of two failures; the first when they are as deep. */
const deeper = (first: Failure | undefined, second: Failure | undefined): Failure | undefined =>
  second && (!first || second.depth > first.depth) ? second : first;

const codec = <A>(guard: G.Guard<unknown, A>, explain: Explain): Codec<A> => ({ is: guard.is, explain });

/** A codec that fails where its guard does, with nothing inside to look into. */
const leaf = <A>(guard: G.Guard<unknown, A>): Codec<A> =>
  codec(guard, (value, path, depth) => (guard.is(value) ? undefined : { depth, path, actual: value }));

/** @internal */
export const named = <A>(name: string, { is, explain }: Codec<A>): NamedCodec<A> => ({ name, is, explain });

/** @internal */
export const string = leaf(G.string);
/** @internal */
export const number = leaf(G.number);
/** @internal */
export const unknown: Codec<unknown> = { is: (_: unknown): _ is unknown => true, explain: () => undefined };
/** @internal */
export const UnknownRecord = leaf(G.UnknownRecord);

/** One of these values. @internal */
export const literal = <A extends readonly [L, ...L[]], L extends Literal = Literal>(...values: A): Codec<A[number]> => leaf(G.literal(...values));

/** `A` or `null`. @internal */
export const nullable = <A>(or: Codec<A>): Codec<A | null> =>
  // io-ts reports a union of `null` and `or`: the `null` member's failure is never the deeper one.
  codec(G.nullable(or), (value, path, depth) => (value === null ? undefined : or.explain(value, path, depth + 1)));

/** The deepest failure among `fields` of a record, each a level down; `skip` passes over a field. */
function explainFields(fields: Record<string, Codec<unknown>>, skip?: (value: unknown) => boolean): Explain {
  return (value, path, depth) => {
    if (!G.UnknownRecord.is(value)) return { depth, path, actual: value };
    let deepest: Failure | undefined;
    for (const key of Object.keys(fields)) {
      if (skip?.(value[key])) continue;
      deepest = deeper(deepest, fields[key]!.explain(value[key], path ? `${path}.${key}` : key, depth + 1));
    }
    return deepest;
  };
}

/** An object with these fields; fields it does not name are allowed. @internal */
export const struct = <A>(fields: { [K in keyof A]: Codec<A[K]> }): Codec<{ [K in keyof A]: A[K] }> =>
  codec(G.struct(fields), explainFields(fields as Record<string, Codec<unknown>>));

/** An object whose named fields may be missing (or undefined); others are allowed. @internal */
export const partial = <A>(fields: { [K in keyof A]: Codec<A[K]> }): Codec<Partial<{ [K in keyof A]: A[K] }>> =>
  codec(G.partial(fields), explainFields(fields as Record<string, Codec<unknown>>, (value) => value === undefined));

/** @internal */
export const array = <A>(item: Codec<A>): Codec<A[]> =>
  codec(G.array(item), (value, path, depth) => {
    if (!Array.isArray(value)) return { depth, path, actual: value };
    let deepest: Failure | undefined;
    value.forEach((element, index) => (deepest = deeper(deepest, item.explain(element, `${path}[${index}]`, depth + 1))));
    return deepest;
  });

/** An object used as a map from string keys to `A`. @internal */
export const record = <A>(codomain: Codec<A>): Codec<Record<string, A>> =>
  codec(G.record(codomain), (value, path, depth) => {
    if (!G.UnknownRecord.is(value)) return { depth, path, actual: value };
    let deepest: Failure | undefined;
    for (const key of Object.keys(value)) deepest = deeper(deepest, codomain.explain(value[key], path ? `${path}.${key}` : key, depth + 1));
    return deepest;
  });

/** Any one of the members, tried in order. @internal */
export const union = <A extends readonly [unknown, ...unknown[]]>(...members: { [K in keyof A]: Codec<A[K]> }): Codec<A[number]> => {
  // io-ts types the members as a tuple; a mapped tuple type does not spread as one
  const tuple = members as unknown as [Codec<A[number]>];
  return codec(G.union(...tuple), (value, path, depth) => {
    let deepest: Failure | undefined;
    for (const member of tuple) {
      const failure = member.explain(value, path, depth + 1);
      if (!failure) return undefined;
      deepest = deeper(deepest, failure);
    }
    return deepest;
  });
};

/** @internal */
export const intersect = <A, B>(left: Codec<A>, right: Codec<B>): Codec<A & B> =>
  codec(G.intersect(right)(left), (value, path, depth) => deeper(left.explain(value, path, depth), right.explain(value, path, depth)));
