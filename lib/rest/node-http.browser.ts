/**
 * The browser build's stand-in for node-http.ts: there is no `node:http` there, so REST always
 * goes through `fetch`. The package's `browser` field maps node-http.js to this file, so browser
 * bundles carry none of the Node request code.
 * @module
 */
import type { HttpRequester } from './http-requester.js';

/**
 * Always undefined: browsers use `fetch`.
 * @internal
 */
export function nodeHttpRequester(): HttpRequester | undefined {
  return undefined;
}
