/**
 * Node's `ws`, loaded at the first socket rather than when the package is imported: it pulls in
 * much of Node's networking stack, which a program that only uses REST never needs (it was the
 * largest part of the import time). Under CommonJS it is required there and then; an ES module
 * has no `require`, so there the first socket waits for one dynamic import (probedFactory).
 * Browser bundles get node-web-socket.browser.ts instead, through the package's `browser` field.
 * @module
 */
import type NodeWebSocketClass from 'ws';

/** @internal */
export type NodeWebSocketConstructor = typeof NodeWebSocketClass;

/** @internal True in Node. */
export const inNode = (): boolean => !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

let nodeWebSocket: NodeWebSocketConstructor | undefined;
let nodeWebSocketImport: Promise<unknown> | undefined;

/**
 * `ws` when it can be had synchronously: already loaded, or through CommonJS's `require`.
 * @internal
 */
export function nodeWebSocketNow(): NodeWebSocketConstructor | undefined {
  if (!nodeWebSocket && typeof require === 'function') {
    try {
      nodeWebSocket = require('ws') as NodeWebSocketConstructor;
    } catch {
      // A `require` that cannot see `ws` (an ES module's own shim): the dynamic import still can.
    }
  }
  return nodeWebSocket;
}

/**
 * In Node, while `ws` is not loaded yet: the import that loads it (started once, again after a failure).
 * @internal
 */
export function nodeWebSocketPending(): Promise<unknown> | undefined {
  if (!inNode() || nodeWebSocketNow()) return undefined;
  nodeWebSocketImport ??= import('ws').then(
    (module) => (nodeWebSocket = module.default),
    (error: unknown) => {
      nodeWebSocketImport = undefined;
      throw error;
    },
  );
  return nodeWebSocketImport;
}
