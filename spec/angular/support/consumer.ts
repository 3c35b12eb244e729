// Not a spec: code written the way docs/angular.md shows, type-checked (with the type errors the
// entry must catch) by spec/build/angular-types.spec.ts against the installed and the latest Angular.
import { Component, computed, type Signal } from '@angular/core';
import { type HttpInterceptorFn, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import type { Answer, Session, SessionStatus } from 'kiss-ai-stack-rx';
import { socketTransport } from 'kiss-ai-stack-rx/socket';
import { type AnswerSource, answerSources, httpClientFetch, injectKissSession, injectKissSignals, KISS_SESSION, lazySession, provideKissSession, resolvePageUrl } from '../../../lib/angular/index.js';

const logRequests: HttpInterceptorFn = (request, next) => next(request);
export const providers = [provideHttpClient(withFetch(), withInterceptors([logRequests])), ...provideKissSession({ url: '/kiss', lazy: true, transport: socketTransport })];
export const fromFactory = provideKissSession(() => ({ url: resolvePageUrl('/kiss', 'http://localhost:4200/'), httpClient: false }));

export class Chat {
  readonly session: Session = injectKissSession();
  readonly kiss = injectKissSignals();
  readonly status: Signal<SessionStatus> = this.kiss.status;
  readonly last: Signal<Answer | undefined> = this.kiss.lastAnswer;
  readonly sources: Signal<readonly AnswerSource[]> = this.kiss.lastSources;
  readonly label = computed(() => (this.kiss.busy() ? 'thinking' : this.kiss.status()));
  readonly teams = computed(() => this.kiss.lastSources().map((s) => String(s.metadata['team']) + (s.distance ?? 0).toFixed(2) + s.text));
  ask(question: string) {
    this.session.ask(question).subscribe((answer) => answerSources(answer).length);
  }
}
export const typedComponent = Component({ selector: 'app-chat', template: '{{ label() }}' })(Chat);
export const token: typeof KISS_SESSION = KISS_SESSION;
export const wrap = (session: Session): Session => lazySession(session);
export const viaHttp = httpClientFetch;

// @ts-expect-error the url is a string
provideKissSession({ url: 8080 });
// @ts-expect-error lazy is a boolean
provideKissSession({ url: '/kiss', lazy: 'yes' });
// @ts-expect-error a signal of the status, not of a number
export const wrong: Signal<number> = injectKissSignals().status;
