/**
 * The browser build's stand-in for node-web-socket.ts: browsers use the global `WebSocket`, so
 * browser bundles carry neither `ws` nor the code that loads it (the package's `browser` field
 * maps node-web-socket.js to this file).
 * @module
 */
import type { NodeWebSocketConstructor } from './node-web-socket.js';

/** @internal Never Node here. */
export const inNode = (): boolean => false;

/** @internal No `ws` here. */
export function nodeWebSocketNow(): NodeWebSocketConstructor | undefined {
  return undefined;
}

/** @internal Nothing to load here. */
export function nodeWebSocketPending(): Promise<unknown> | undefined {
  return undefined;
}

/** @internal There is no Node build of `ws` to load in a browser. */
export function requireNodeWs(): NodeWebSocketConstructor {
  throw new Error('ws is Node only; browsers use their global WebSocket.');
}
