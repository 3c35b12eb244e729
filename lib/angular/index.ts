/**
 * kiss-ai-stack-rx/angular: a KISS AI Stack session per Angular injector, with signals, a lazy
 * open, relative URLs and REST through `HttpClient`. Needs `@angular/core` and `@angular/common`
 * (21 or 22); the main entry never loads Angular. See docs/angular.md.
 * @module kiss-ai-stack-rx/angular
 */
export { provideKissSession, injectKissSession, injectKissSignals, KISS_SESSION } from './provide-session.js';
export type { KissSessionOptions } from './provide-session.js';
export { KissSessionSignals } from './session-signals.js';
export { lazySession } from './lazy-session.js';
export { httpClientFetch } from './http-client-fetch.js';
export type { HttpClientFetchOptions } from './http-client-fetch.js';
export { resolvePageUrl } from './page-url.js';
export { answerSources } from './answer-sources.js';
export type { AnswerSource } from './answer-sources.js';
