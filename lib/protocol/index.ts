/**
 * The wire protocol in one module: codecs for every message, and the decode boundary.
 * @module
 */
export * from './codecs.js';
export { decodeOrThrow, decodeJson, parseJson } from './decode.js';
