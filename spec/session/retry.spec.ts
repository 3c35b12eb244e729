// Inside TestScheduler.run, asyncScheduler runs in virtual time.
import { asyncScheduler, defer, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  CancelledError,
  DocumentError,
  HttpError,
  NotStoredError,
  ServerError,
  SessionMisuseError,
  KissTimeoutError,
  TransportError,
  UnauthorizedError,
  ValidationError,
  type KissError,
} from '../../lib';
import { SocketClosedError } from '../../lib/socket';
import { isRetryable } from '../../lib/retry/classify';
import { backoffDelay, retryWithPolicy, type RetryInfo } from '../../lib/retry/policy';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('the retry classifier', () => {
  const off = { resendStores: false };
  it.each<[string, KissError, 'ask' | 'store', boolean]>([
    ['503', new ServerError(503, 'x'), 'ask', true],
    ['503 under a store (the server says it did not handle it)', new ServerError(503, 'x'), 'store', true],
    ['502 under an ask', new ServerError(502, 'x'), 'ask', true],
    ['502 under a store (a proxy may have passed it on)', new ServerError(502, 'x'), 'store', false],
    ['504 under an ask', new ServerError(504, 'x'), 'ask', true],
    ['504 under a store', new ServerError(504, 'x'), 'store', false],
    ['429 under an ask', new HttpError(429, 'Too Many Requests'), 'ask', true],
    ['429 under a store (not handled)', new HttpError(429, 'Too Many Requests'), 'store', true],
    ['500 (misuse on this server)', new ServerError(500, 'x'), 'ask', false],
    ['401', new UnauthorizedError('Invalid token'), 'ask', false],
    ['422', new ValidationError(422, []), 'ask', false],
    ['400', new HttpError(400, 'Invalid action: x'), 'ask', false],
    ['connection refused, ask', new TransportError('refused'), 'ask', true],
    ['connection refused, store (never sent)', new TransportError('refused'), 'store', true],
    ['connection reset, store (maybe stored)', new TransportError('reset'), 'store', false],
    ['socket dropped under an ask', new SocketClosedError('on_query', 'dropped', 1006), 'ask', true],
    ['socket dropped under a store', new SocketClosedError('on_store', 'dropped', 1006), 'store', false],
    ['server closed the socket', new SocketClosedError('on_query', 'server-closed', 1000), 'ask', false],
    ['misuse', new SessionMisuseError('x'), 'ask', false],
    ['unreadable document', new DocumentError('a.txt', 'does not exist'), 'store', false],
    ['failed store', new NotStoredError(['a.txt']), 'store', false],
    ['timeout', new KissTimeoutError(10), 'ask', false],
    ['cancelled', new CancelledError(), 'ask', false],
  ])('%s', (_name, error, step, expected) => {
    expect(isRetryable(error, step, off)).toBe(expected);
  });

  it('resends stores of unknown outcome only when the caller opts in', () => {
    expect(isRetryable(new TransportError('reset'), 'store', { resendStores: true })).toBe(true);
    expect(isRetryable(new SocketClosedError('on_store', 'dropped', 1006), 'store', { resendStores: true })).toBe(true);
    expect(isRetryable(new ServerError(502, 'x'), 'store', { resendStores: true })).toBe(true);
    expect(isRetryable(new Error('plain'), 'ask', off)).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles from the base delay up to the cap, with jitter between half and all', () => {
    const error = new ServerError(503, 'x');
    const policy = { baseDelay: 100, maxDelay: 1000, jitter: false };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, error))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay({ baseDelay: 100 }, 1, error, () => 0)).toBe(50);
    expect(backoffDelay({ baseDelay: 100 }, 1, error, () => 0.999)).toBe(100);
  });

  it('honours Retry-After within the cap', () => {
    expect(backoffDelay({ maxDelay: 5000 }, 1, new ServerError(503, 'x', {}, 2000))).toBe(2000);
    expect(backoffDelay({ maxDelay: 1000 }, 1, new ServerError(503, 'x', {}, 9000))).toBe(1000);
  });
});

describe('retryWithPolicy (virtual time)', () => {
  it('resubscribes after each backoff and reports every retry', () => {
    const retries: RetryInfo[] = [];
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new ServerError(503, 'busy'));
      const result = source.pipe(retryWithPolicy('ask', { maxAttempts: 3, baseDelay: 10, jitter: false }, asyncScheduler, (i) => retries.push(i)));
      // attempts at 0, 1+10=11, 12+20=32; the third failure at 33 is final
      expectObservable(result).toBe('---------------------------------#', undefined, new ServerError(503, 'busy'));
      expectSubscriptions(source.subscriptions).toBe(['^!', '-----------^!', '--------------------------------^!']);
    });
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('fails at once, with one subscription, for an error that is not retryable', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ValidationError(422, []);
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy('ask', { baseDelay: 10 }, asyncScheduler))).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!']);
    });
  });

  it('lets the user predicate stop a retry the classifier would allow', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const error = new ServerError(503, 'busy');
      const source = cold('-#', undefined, error);
      const policy = { baseDelay: 10, shouldRetry: () => false };
      expectObservable(source.pipe(retryWithPolicy('ask', policy, asyncScheduler))).toBe('-#', undefined, error);
    });
  });
});


describe('retryWithPolicy against a flaky source', () => {
  it('succeeds once the burst of 503s is over', async () => {
    let calls = 0;
    const flaky = defer(() => (++calls <= 3 ? throwError(() => new ServerError(503, 'busy')) : of('ok')));
    const value = await new Promise((resolve, reject) =>
      flaky.pipe(retryWithPolicy('ask', { baseDelay: 1, maxAttempts: 5 }, asyncScheduler)).subscribe({ next: resolve, error: reject }),
    );
    expect(value).toBe('ok');
    expect(calls).toBe(4);
  });
});
