// Every kind of error the library emits maps to the exit code the CLI documents.
import {
  CancelledError,
  DecodeError,
  DocumentError,
  HttpError,
  KissTimeoutError,
  NotStoredError,
  ServerError,
  SessionMisuseError,
  TransportError,
  UnauthorizedError,
  ValidationError,
  type AnyKissError,
  type KissErrorKind,
} from '../../lib';
import { PayloadTooLargeError, SocketClosedError } from '../../lib/socket';
import { CliError, EXIT, exitCodeFor, usageError } from '../../lib/cli/exit-codes';
import { USAGE } from '../../lib/cli/usage';

const errors: Record<KissErrorKind, AnyKissError> = {
  unauthorized: new UnauthorizedError('Invalid token'),
  server: new ServerError(500, undefined),
  http: new HttpError(404, 'Not Found') as AnyKissError,
  validation: new ValidationError(422, []),
  decode: new DecodeError('Answer', 'result', '1'),
  'not-stored': new NotStoredError(['a.txt']),
  transport: new TransportError('refused'),
  'socket-closed': new SocketClosedError('on_query', 'dropped', 1006),
  timeout: new KissTimeoutError(10),
  document: new DocumentError('a.txt', 'does not exist'),
  'too-large': new PayloadTooLargeError(20, 10),
  misuse: new SessionMisuseError('no'),
  cancelled: new CancelledError(),
};

describe('exit codes', () => {
  it.each([
    ['unauthorized', 3],
    ['server', 4],
    ['http', 4],
    ['validation', 4],
    ['decode', 4],
    ['not-stored', 4],
    ['transport', 5],
    ['socket-closed', 5],
    ['timeout', 5],
    ['document', 6],
    ['too-large', 6],
    ['misuse', 1],
    ['cancelled', 1],
  ] as const)('%s exits %i', (kind, code) => {
    expect(errors[kind].kind).toBe(kind);
    expect(exitCodeFor(errors[kind])).toBe(code);
  });

  it('gives a CLI error its own code, and anything else 1', () => {
    expect(exitCodeFor(usageError('bad'))).toBe(EXIT.usage);
    expect(exitCodeFor(new CliError('refused', EXIT.unauthorized))).toBe(3);
    expect(exitCodeFor(new Error('bug'))).toBe(1);
    expect(exitCodeFor('thrown string')).toBe(1);
  });

  it('lists every exit code in --help', () => {
    for (const code of new Set(Object.values(EXIT))) expect(USAGE).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
  });
});
