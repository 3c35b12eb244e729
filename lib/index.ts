/**
 * kiss-ai-stack-rx: the reactive client for the KISS AI Stack server.
 *
 * Start with {@link createSession}: a session authorizes, bootstraps, asks, stores and destroys,
 * with retries and token refresh. {@link createClient} is the same protocol one call at a time.
 *
 * This entry is browser-safe: nothing it imports pulls in Node built-ins.
 * @module kiss-ai-stack-rx
 */
export { createClient } from './client/kiss-client.js';
export type { KissClient, ClientOptions, StoreOptions, SessionCallOptions } from './client/kiss-client.js';
export type { AuthorizeRequest } from './client/requests.js';
export type { CallOptions } from './call/call.js';
export type { Answer, SessionReply, StoreResult } from './client/results.js';
export type { FetchLike } from './rest/http-call.js';
export type { NodeAgents } from './rest/node-http.js';
export { resolveEndpoint } from './rest/endpoint.js';
export type { Endpoint, EndpointOptions } from './rest/endpoint.js';
export type { SocketOptions } from './socket/socket-transport.js';
export type { WebSocketFactory, WebSocketFactoryContext, WebSocketLike } from './socket/web-socket-factory.js';
export type { SocketLifecycleEvent } from './socket/multiplexed-socket.js';
export type { Scope } from './protocol/codecs.js';
export { Authorization } from './auth/authorization.js';
export { memoryCredentialStore } from './auth/credential-store.js';
export type { CredentialStore, StoredCredentials } from './auth/credential-store.js';
export { createSession, openSession } from './session/session.js';
export type { Session, SessionOptions, SessionCallOverrides } from './session/session.js';
export { answerQuestions } from './session/answer-questions.js';
export type { AnswerMode, AnswerQuestionsOptions } from './session/answer-questions.js';
export { FINAL_STATUSES } from './session/session-state.js';
export type { SessionState, SessionStatus } from './session/session-state.js';
export type { SessionActivity, Logger, LogLevel } from './session/events.js';
export type { RetryPolicy, RetryInfo } from './retry/policy.js';
export type { DocumentSource, DocumentData } from './documents/document-source.js';
export type { StoreProgress } from './documents/progress.js';
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
  KissTimeoutError,
  CancelledError,
  isKissError,
} from './errors/kiss-error.js';
export { MissingGlobalError } from './errors/missing-global.js';
export type {
  AnyKissError,
  KissErrorKind,
  ErrorContext,
  FieldIssue,
  Step,
  TransportReason,
  UnauthorizedReason,
} from './errors/kiss-error.js';
