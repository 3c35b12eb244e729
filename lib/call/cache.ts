/**
 * Small process-wide caches of values shared by every client of one server (error contexts,
 * endpoints, REST transports), so that sessions by the thousand do not each hold their own.
 * @module
 */

/**
 * The value cached under `key`, made by `make` on a miss. A cache that grows past `limit` (an app
 * talking to many servers) starts over rather than growing without bound.
 * @internal
 */
export function cached<K, V>(cache: Map<K, V>, key: K, make: () => V, limit = 64): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
  }
  return value;
}
