/**
 * kiss-ai-stack-rx/testing: an embedded, real KISS AI Stack server for tests (Node only). Start one
 * with {@link startTestServer} on a free loopback port, point a session at its `url`, and read what
 * it was asked from its request log.
 * @module kiss-ai-stack-rx/testing
 */
export { startTestServer } from './server.js';
export type { TestServer } from './server.js';
export type { TestServerOptions } from './options.js';
export type { SeenRequest } from './request-log.js';
export type { TestClientInfo } from './clients.js';
export type { AnswerScript, QuestionAsked, ScriptedAnswer, SupportingDocument, TestDocument } from './answers.js';
