/**
 * The `ws` package's WebSocket server, loaded so that it works in every jest environment.
 *
 * jest's jsdom environment (how Angular and React apps run their tests) resolves packages with the
 * `browser` export condition, and `ws` maps that condition to a stub that only throws ("ws does
 * not work in the browser"). The test server runs in Node whatever the environment pretends, so
 * when the import gave that stub, `ws` is loaded again by the path of its Node entry, as the
 * client's sockets do (`requireNodeWs`). jest's own `require` does that
 * (jest also hands out its own `module.createRequire` and `process.getBuiltinModule`, so there is
 * no reaching Node's loader around it). Anywhere else the import is used as is.
 * @module
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { requireNodeWs } from '../socket/node-web-socket.js';
import * as imported from 'ws';

/** @internal The `WebSocketServer` class of `ws`. */
export type WebSocketServerClass = typeof imported.WebSocketServer;

let loaded: WebSocketServerClass | undefined;

/** @internal The real `WebSocketServer`, even where the import resolved to `ws`'s browser stub. */
export function webSocketServerClass(): WebSocketServerClass {
  if (loaded) return loaded;
  const fromImport = (imported as { WebSocketServer?: WebSocketServerClass }).WebSocketServer;
  if (typeof fromImport === 'function') return (loaded = fromImport);
  // CommonJS (how jest loads this package) finds `ws` from here, as the import did; an ES module
  // (jest's experimental ESM mode) has no `require`, and looks from the working directory.
  const load = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  const nodeWs = requireNodeWs(load) as { WebSocketServer?: WebSocketServerClass };
  if (typeof nodeWs.WebSocketServer !== 'function') {
    throw new Error('kiss-ai-stack-rx/testing could not load the WebSocketServer of the ws package.');
  }
  return (loaded = nodeWs.WebSocketServer);
}
