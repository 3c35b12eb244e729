/**
 * Node's `ws`, loaded at the first socket rather than when the package is imported: it pulls in
 * much of Node's networking stack, which a program that only uses REST never needs (it was the
 * largest part of the import time). Under CommonJS it is required there and then; an ES module
 * has no `require`, so there the first socket waits for one dynamic import (Connection.start).
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
      nodeWebSocket = requireNodeWs(require);
    } catch {
      // A `require` that cannot see `ws` (an ES module's own shim): the dynamic import still can.
    }
  }
  return nodeWebSocket;
}

/**
 * `ws`'s Node build through `load`, even where resolving `ws` gives its browser stub: jest's jsdom
 * environment (how Angular and React apps run their tests) resolves packages with the `browser`
 * condition, and `ws` maps that to a stub that only throws, though the code runs in Node. Its Node
 * entry is then loaded by path (its package.json `main`), which no export condition redirects.
 * The client's sockets and the test server's socket server both load `ws` through it.
 * @internal
 */
export function requireNodeWs(load: NodeRequire): NodeWebSocketConstructor {
  const loaded = load('ws') as NodeWebSocketConstructor;
  if (typeof (loaded as { WebSocketServer?: unknown }).WebSocketServer === 'function') return loaded;
  const manifest = load.resolve('ws/package.json');
  const { main = 'index.js' } = load(manifest) as { main?: string };
  return load(`${manifest.slice(0, -'package.json'.length)}${main}`) as NodeWebSocketConstructor;
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
