/**
 * The few io-ts combinators the protocol's codecs are built from. Each codec is at once an io-ts
 * `Decoder` (which says where a value fails, and what it found there) and an io-ts `Guard` (which
 * checks a valid value without allocating) of the same type, so one definition gives both.
 *
 * The two modules are imported by their CommonJS files, which Node loads from dist/esm too
 * (`io-ts/Decoder` is a folder, which Node's ES module loader does not resolve). The package's
 * `browser` field maps them to io-ts/es6/…, ES modules that bundlers tree-shake to what is used
 * here; io-ts's index module is one file that cannot be tree-shaken.
 * @module
 */
import * as D from 'io-ts/lib/Decoder.js';
import * as G from 'io-ts/lib/Guard.js';

/**
 * An io-ts decoder and guard of one type.
 * @internal
 */
export interface Codec<A> extends D.Decoder<unknown, A>, G.Guard<unknown, A> {}

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

const codec = <A>(decoder: D.Decoder<unknown, A>, guard: G.Guard<unknown, A>): Codec<A> => ({
  decode: decoder.decode,
  is: guard.is,
});

/** @internal */
export const named = <A>(name: string, { decode, is }: Codec<A>): NamedCodec<A> => ({ name, decode, is });

/** @internal */
export const string = codec(D.string, G.string);
/** @internal */
export const number = codec(D.number, G.number);
/** @internal */
export const unknown: Codec<unknown> = { decode: D.success, is: (_: unknown): _ is unknown => true };
/** @internal */
export const UnknownRecord = codec(D.UnknownRecord, G.UnknownRecord);

/**
 * One of these values. Built from the guard: io-ts's `D.literal` calls `G.literal` through the
 * Guard module's namespace object, which would keep all of that module in a bundle.
 * @internal
 */
export const literal = <A extends readonly [L, ...L[]], L extends Literal = Literal>(...values: A): Codec<A[number]> => {
  const guard = G.literal(...values);
  return codec(D.fromGuard(guard, values.map((value) => JSON.stringify(value)).join(' | ')), guard);
};

/** `A` or `null`. @internal */
export const nullable = <A>(or: Codec<A>): Codec<A | null> => codec(D.nullable(or), G.nullable(or));

/** An object with these fields; fields it does not name are allowed. @internal */
export const struct = <A>(fields: { [K in keyof A]: Codec<A[K]> }): Codec<{ [K in keyof A]: A[K] }> =>
  codec(D.struct(fields), G.struct(fields));

/** An object whose named fields may be missing (or undefined); others are allowed. @internal */
export const partial = <A>(fields: { [K in keyof A]: Codec<A[K]> }): Codec<Partial<{ [K in keyof A]: A[K] }>> =>
  codec(D.partial(fields), G.partial(fields));

/** @internal */
export const array = <A>(item: Codec<A>): Codec<A[]> => codec(D.array(item), G.array(item));

/** An object used as a map from string keys to `A`. @internal */
export const record = <A>(codomain: Codec<A>): Codec<Record<string, A>> => codec(D.record(codomain), G.record(codomain));

/** Any one of the members, tried in order. @internal */
export const union = <A extends readonly [unknown, ...unknown[]]>(...members: { [K in keyof A]: Codec<A[K]> }): Codec<A[number]> => {
  // io-ts types the members as a tuple; a mapped tuple type does not spread as one
  const tuple = members as unknown as [Codec<A[number]>];
  return codec(D.union(...tuple), G.union(...tuple));
};

/** @internal */
export const intersect = <A, B>(left: Codec<A>, right: Codec<B>): Codec<A & B> =>
  codec(D.intersect(right)(left), G.intersect(right)(left));
