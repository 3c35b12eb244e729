/**
 * kiss-ai-stack-rx/socket: the WebSocket transport, in an entry of its own so that apps on REST
 * alone do not bundle it. Pass {@link socketTransport} as the `transport` option of
 * `createClient` or `createSession`; everything else (sessions, errors, the `socket` option's
 * types) comes from the main entry.
 * @module kiss-ai-stack-rx/socket
 */
export { socketTransport } from './socket-transport.js';
export type { SocketTransportChoice } from './socket-transport.js';
