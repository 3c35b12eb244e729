/**
 * kiss-ai-stack-rx/compat: a drop-in for the official JavaScript client (`kiss-ai-stack-client`).
 * `RestEvent` and `WebSocketEvent` take its constructor and promise methods, positional or as
 * objects, and resolve with the same shapes (`stack_id`, `result`, `extras`), built on this
 * library's core: retries, token refresh, validated replies and answers matched to their callers.
 * See docs/migrating.md for where it differs on purpose.
 * @module kiss-ai-stack-rx/compat
 */
export { RestEvent, WebSocketEvent } from './event.js';
export type { EventOptions, GenericResponseBody, SessionResponse } from './event.js';
