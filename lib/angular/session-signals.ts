/**
 * A session's state and answers as Angular signals, for templates and `computed()`.
 * @module
 */
import { computed, type Signal, signal } from '@angular/core';
import type { Answer, KissError, Session, SessionState, SessionStatus } from 'kiss-ai-stack-rx';
import { type AnswerSource, answerSources } from './answer-sources.js';

/**
 * Signals over one session, fed by its `state$` and `answers$` from the moment they are made until
 * the session ends (the streams complete then; the signals keep their last values). With
 * `provideKissSession`, inject it with {@link injectKissSignals}: it is made together with the
 * session, so `answers` holds every answer the session received.
 *
 * @example
 * ```ts
 * @Component({
 *   selector: 'app-chat',
 *   template: `
 *     <p>{{ kiss.status() }}</p>
 *     @for (answer of kiss.answers(); track $index) { <p>{{ answer.question }}: {{ answer.text }}</p> }
 *     @for (source of kiss.lastSources(); track $index) { <li>{{ source.metadata['team'] }} ({{ source.distance }})</li> }
 *   `,
 * })
 * export class ChatComponent {
 *   protected readonly kiss = injectKissSignals();
 * }
 * ```
 * @category Angular
 */
export class KissSessionSignals {
  /** The session's state (`status`, `calls`, `bootstrapped`, `error`), current value first. */
  readonly state: Signal<SessionState>;
  /** The session's status alone: `idle`, `authorizing`, `ready`, `busy`, …, `destroyed`, `closed`, `failed`. */
  readonly status: Signal<SessionStatus>;
  /** True while the session can take calls without waiting: open and not ended (`ready`, `busy`, `refreshing`, `reconnecting`). */
  readonly open: Signal<boolean>;
  /** True while an ask or store is in flight. */
  readonly busy: Signal<boolean>;
  /** Why the session failed, once its status is `failed`; else undefined. */
  readonly error: Signal<KissError | undefined>;
  /** Every answer the session received since these signals were made, oldest first. */
  readonly answers: Signal<readonly Answer[]>;
  /** The latest answer, or undefined before the first. */
  readonly lastAnswer: Signal<Answer | undefined>;
  /** The latest answer's supporting documents as typed sources (see {@link answerSources}); empty when it used none. */
  readonly lastSources: Signal<readonly AnswerSource[]>;

  /**
   * @param session - the session to follow; its streams are subscribed at once
   */
  constructor(session: Session) {
    const state = signal(session.state);
    const answers = signal<readonly Answer[]>([]);
    session.state$.subscribe((next) => state.set(next));
    session.answers$.subscribe((answer) => answers.update((list) => [...list, answer]));
    this.state = state.asReadonly();
    this.status = computed(() => state().status);
    this.open = computed(() => ['ready', 'busy', 'refreshing', 'reconnecting'].includes(state().status));
    this.busy = computed(() => state().calls > 0);
    this.error = computed(() => state().error);
    this.answers = answers.asReadonly();
    this.lastAnswer = computed(() => answers().at(-1));
    this.lastSources = computed(() => {
      const last = this.lastAnswer();
      return last ? answerSources(last) : [];
    });
  }
}
