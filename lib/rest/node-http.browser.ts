/**
 * The browser build's stand-in for node-http.ts: there is no `node:http` there, so REST always
 * goes through `fetch`. The package's `browser` field maps node-http.js to this file, so browser
 * bundles carry none of the Node request code.
 * @module
 */
import type { HttpRequester } from './http-requester.js';
import type { NodeAgents } from './node-http.js';

export type { NodeAgents };

/**
 * Always undefined: browsers use `fetch`.
 * @internal
 */
export function nodeHttpRequester(_agents?: NodeAgents): HttpRequester | undefined {
  return undefined;
}
