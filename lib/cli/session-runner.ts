/**
 * One session per command: opened before the command's work, destroyed after it whatever
 * happened, and Ctrl-C while waiting on the server cancels the wait.
 * @module
 */
import { firstValueFrom, lastValueFrom, type Observable } from 'rxjs';
import { createSession, type Session, type SessionOptions } from '../index.js';
import { refuse } from '../session/guards.js';
import { socketTransport } from '../socket/socket-transport.js';
import type { Connection } from './args.js';
import type { CliContext } from './context.js';
import { credentialStore } from './credentials.js';
import { CliError, EXIT } from './exit-codes.js';


/**
 * Opens a session for `connection`, runs `work` with it, then destroys it (a temporary client
 * ends on the server; a persistent one stays). When `work` fails, the session is still destroyed
 * and `work`'s error is the one thrown. Ctrl-C while opening stops the open, cleans up and throws
 * an interrupted {@link CliError}.
 *
 * @example
 * ```ts
 * await withSession(connection, context, (session) => untilInterrupted(context, session.ask('What is KISS?')));
 * ```
 */
export async function withSession<T>(connection: Connection, context: CliContext, work: (session: Session) => Promise<T>): Promise<T> {
  const { output } = context;
  const credentials = connection.credentials && (await credentialStore(connection.credentials, { secret: (s) => output.addSecret(s), notice: (line) => output.notice(line) }));
  const options: SessionOptions = { url: connection.url, transport: connection.transport === 'socket' ? socketTransport : 'rest', scope: connection.scope, timeout: connection.timeout, credentials };
  const session = createSession(options);
  let result: T;
  try {
    await untilInterrupted(context, session.open());
    result = await work(session);
  } catch (error) {
    await endSession(session).catch(() => undefined);
    throw error;
  }
  await endSession(session);
  return result;
}

/**
 * The first value of `source`; Ctrl-C meanwhile unsubscribes it (cancelling the request) and
 * rejects with an interrupted {@link CliError}.
 *
 * @example
 * ```ts
 * const answer = await untilInterrupted(context, session.ask('What is KISS?'));
 * ```
 */
export function untilInterrupted<T>(context: CliContext, source: Observable<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscription = firstValue(source, resolve, reject);
    const off = context.interrupts.on(() => {
      subscription.unsubscribe();
      off();
      reject(new CliError('Interrupted (Ctrl-C): the request in flight was cancelled.', EXIT.interrupted));
    });
    subscription.add(off);
  });
}

const firstValue = <T>(source: Observable<T>, resolve: (value: T) => void, reject: (error: unknown) => void) =>
  source.subscribe({ next: resolve, error: reject, complete: () => reject(new CliError('The call ended without a result.', EXIT.failure)) });

/**
 * Ends a session and waits until it has ended: destroys it when it is open (its error is thrown),
 * else closes it (stopping an open in flight and cleaning up what it created).
 *
 * @example
 * ```ts
 * await endSession(session);
 * ```
 */
export async function endSession(session: Session): Promise<void> {
  // Open on the server exactly when the session's own guard would let destroy() through.
  if (!refuse(session.state, 'destroy')) {
    await firstValueFrom(session.destroy());
    return;
  }
  session.close();
  await lastValueFrom(session.state$, { defaultValue: undefined });
}
