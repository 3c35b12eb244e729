/**
 * Deep, frozen copies of JSON values, for what the server hands a test (the request log, an answer
 * script's documents): reading them can never change what the server holds.
 * @module
 */

/** @internal A deep, frozen copy of a JSON value. */
export function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.freeze(Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, frozenCopy(inner as unknown)]))) as T;
}
