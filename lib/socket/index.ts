/**
 * kiss-ai-stack-rx/socket: the WebSocket transport, in an entry of its own so that apps on REST
 * alone do not bundle it. Pass {@link socketTransport} as the `transport` option of
 * `createClient` or `createSession`. The two errors only the socket raises,
 * {@link SocketClosedError} and {@link PayloadTooLargeError}, are here too; everything else
 * (sessions, the other errors, the `socket` option's types) comes from the main entry.
 * @module kiss-ai-stack-rx/socket
 */
export { socketTransport } from './socket-transport.js';
export type { SocketTransportChoice } from './socket-transport.js';
export { PayloadTooLargeError, SocketClosedError } from './errors.js';
export type { SocketCloseCause } from './errors.js';
