/**
 * kiss-ai-stack-rx: the reactive client for the KISS AI Stack server.
 *
 * This entry is browser-safe: nothing it imports pulls in Node built-ins.
 * @packageDocumentation
 */
export { createRestClient } from './rest/rest-client.js';
export type { RestClient, RestClientOptions, AuthorizeRequest, StoreOptions, SessionCallOptions } from './rest/rest-client.js';
export type { CallOptions, FetchLike } from './rest/http-call.js';
export { resolveEndpoint } from './rest/endpoint.js';
export type { Endpoint, EndpointOptions } from './rest/endpoint.js';
export type { Answer, SessionReply, StoreResult } from './rest/results.js';
export { Authorization } from './auth/authorization.js';
export type { DocumentSource, DocumentData } from './documents/document-source.js';
export {
  KissError,
  HttpError,
  UnauthorizedError,
  ValidationError,
  ServerError,
  DecodeError,
  TransportError,
  SessionMisuseError,
  DocumentError,
  NotStoredError,
  TimeoutError,
  CancelledError,
  isKissError,
} from './errors/kiss-error.js';
export type {
  AnyKissError,
  KissErrorKind,
  ErrorContext,
  FieldIssue,
  Step,
  TransportReason,
  UnauthorizedReason,
} from './errors/kiss-error.js';
export * as protocol from './protocol/index.js';
