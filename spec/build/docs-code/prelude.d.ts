// What a code block in the README or a guide may use without declaring it: the package's own
// exports and rxjs's (as if imported), and the app around the snippet (a session, a server URL,
// a progress bar...). A block that imports names itself shadows these. Each block compiles as a
// module of its own against lib/ (spec/build/docs-code.spec.ts). Kept out of tsconfig.json, so no spec sees these globals..
import type * as Kiss from 'kiss-ai-stack-rx';
import type * as Rx from 'rxjs';
import type * as KissSocket from 'kiss-ai-stack-rx/socket';

declare global {
  const createClient: typeof Kiss.createClient;
  const createSession: typeof Kiss.createSession;
  const openSession: typeof Kiss.openSession;
  const answerQuestions: typeof Kiss.answerQuestions;
  const isKissError: typeof Kiss.isKissError;
  const socketTransport: typeof KissSocket.socketTransport;
  const firstValueFrom: typeof Rx.firstValueFrom;
  const lastValueFrom: typeof Rx.lastValueFrom;
  const filter: typeof Rx.filter;
  const map: typeof Rx.map;
  const switchMap: typeof Rx.switchMap;
  const concatMap: typeof Rx.concatMap;

  /** The app around a snippet. */
  const url: string;
  const session: Kiss.Session;
  const client: Kiss.KissClient;
  const auth: Kiss.Authorization;
  const questions$: Rx.Observable<string>;
  const files: File[];
  const faqText: string;
  const bar: { value: number };
  const myInstrumentedFetch: Kiss.FetchLike;
  function render(text: string): void;
}
