import { inspect } from 'node:util';
import {
  CancelledError,
  DecodeError,
  HttpError,
  isKissError,
  KissError,
  ServerError,
  KissTimeoutError,
  TransportError,
  UnauthorizedError,
  ValidationError,
} from '../../lib/errors/kiss-error';
import { errorFromHttpResponse, errorFromNetworkFailure, errorFromSocketFrame, parseRetryAfter } from '../../lib/errors/from-response';

const ctx = { step: 'ask' as const, method: 'POST', url: 'http://h/queries' };

describe('errorFromHttpResponse', () => {
  it.each([
    ['Authorization header missing', 'missing-header'],
    ['Invalid token', 'invalid-token'],
    ['Invalid or inactive session', 'inactive-session'],
    ['Invalid client_id or client_secret', 'invalid-credentials'],
    ['Value error, Either `scope` or both `client_id` and `client_secret` must be provided.', 'missing-credentials'],
  ])('maps 401 %j to an UnauthorizedError with reason %s', (detail, reason) => {
    const e = errorFromHttpResponse(401, JSON.stringify({ detail }), ctx);
    expect(e).toBeInstanceOf(UnauthorizedError);
    expect(e.kind).toBe('unauthorized');
    expect((e as UnauthorizedError).reason).toBe(reason);
    expect(e.detail).toBe(detail);
    expect(e.message).toMatch(/during ask/);
  });

  it('maps both 422 list shapes to a ValidationError with field issues', () => {
    for (const body of [
      { detail: [{ loc: ['body', 'files'], msg: 'field required', type: 'value_error.missing' }] },
      { detail: [{ type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: {} }] },
    ]) {
      const e = errorFromHttpResponse(422, JSON.stringify(body), ctx) as ValidationError;
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.issues).toEqual([expect.objectContaining({ location: 'body.files' })]);
      expect(e.message).toMatch(/body\.files: [Ff]ield required/);
    }
  });

  it('maps a plain-text 500 to a ServerError that explains the bootstrap quirk', () => {
    const e = errorFromHttpResponse(500, 'Internal Server Error', ctx) as ServerError;
    expect(e).toBeInstanceOf(ServerError);
    expect(e.status).toBe(500);
    expect(e.detail).toBe('Internal Server Error');
    expect(e.message).toMatch(/before bootstrap/);
    const auth = errorFromHttpResponse(500, 'Internal Server Error', { step: 'authorize' });
    expect(auth.message).toMatch(/unknown scope/);
  });

  it('keeps Retry-After on 503 and leaves other statuses as HttpError', () => {
    const e = errorFromHttpResponse(503, '{"detail":"Service Unavailable"}', ctx, '2') as ServerError;
    expect(e.retryAfterMs).toBe(2000);
    const bad = errorFromHttpResponse(400, '{"detail":"Invalid action: foo"}', ctx);
    expect(bad.constructor).toBe(HttpError);
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('Invalid action: foo');
  });

  it('never puts a token from a body into the message', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const e = errorFromHttpResponse(502, `<html>bad gateway for Bearer ${jwt}</html>`, ctx);
    expect(e.message).not.toContain(jwt);
    expect(JSON.stringify(e)).not.toContain(jwt);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('errorFromSocketFrame', () => {
  it('maps Invalid data to a ValidationError and other frames to HttpError', () => {
    expect(errorFromSocketFrame(400, 'Invalid data', ctx)).toBeInstanceOf(ValidationError);
    const e = errorFromSocketFrame(400, 'Invalid event: bogus', ctx);
    expect(e.constructor).toBe(HttpError);
    expect(e.detail).toBe('Invalid event: bogus');
  });
});

describe('errorFromNetworkFailure', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'refused'],
    [{ cause: { code: 'ENOTFOUND' } }, 'dns'],
    [{ cause: { errors: [{ code: 'EHOSTUNREACH' }] } }, 'unreachable'],
    [{ code: 'ECONNRESET' }, 'reset'],
    [new Error('weird'), 'unknown'],
  ])('classifies %j as %s', (failure, reason) => {
    const e = errorFromNetworkFailure(Object.assign(new Error('x'), failure), ctx) as TransportError;
    expect(e).toBeInstanceOf(TransportError);
    expect(e.reason).toBe(reason);
    expect(e.message).toMatch(/Could not reach the server during ask/);
  });

  it('passes library errors through unchanged', () => {
    const t = new KissTimeoutError(5, ctx);
    expect(errorFromNetworkFailure(t, ctx)).toBe(t);
  });
});

describe('KissError', () => {
  it('is discriminated by kind and serialises without secrets', () => {
    const all = [new CancelledError(ctx), new KissTimeoutError(10, ctx), new DecodeError('X', 'a', '1', ctx)];
    expect(all.map((e) => e.kind)).toEqual(['cancelled', 'timeout', 'decode']);
    expect(all.every(isKissError)).toBe(true);
    expect(isKissError(new Error('x'))).toBe(false);
    const json = JSON.parse(JSON.stringify(new KissTimeoutError(10, ctx)));
    expect(json).toMatchObject({ name: 'KissTimeoutError', kind: 'timeout', timeoutMs: 10, context: ctx });
    expect(inspect(new KissTimeoutError(10, ctx))).toContain('KissTimeoutError');
  });
});

describe('errors bound to another step', () => {
  it('keeps the class and fields, and names the caller\'s step', async () => {
    const { inContext, UnauthorizedError } = await import('../../lib/errors/kiss-error');
    const original = new UnauthorizedError('Invalid or inactive session', { step: 'authorize', method: 'POST', url: 'http://h/auth' });
    const bound = inContext(original, { step: 'ask', method: 'WS', url: 'ws://h/ws' });
    expect(bound).toBeInstanceOf(UnauthorizedError);
    expect(bound).toMatchObject({ kind: 'unauthorized', reason: 'inactive-session', status: 401, context: { step: 'ask' } });
    expect(bound.message).toMatch(/during ask/);
    expect(bound.message).not.toMatch(/during authorize/);
    expect(original.message).toMatch(/during authorize/);
  });
});

describe('scrubbing server text', () => {
  it('removes the request\'s secrets wherever the server echoed them', async () => {
    const { scrubSecrets } = await import('../../lib/errors/redact');
    const secret = 'pWq8-secret-Zx91';
    expect(scrubSecrets(`{"detail":"bad {'client_secret': '${secret}'} and again ${secret}"}`, [secret, undefined])).not.toContain(secret);
    expect(scrubSecrets('nothing to hide', [secret])).toBe('nothing to hide');
  });
});

describe('errors built from bodies that echo the request', () => {
  it('keep the client secret out of a decode error of a 200 that is not JSON', async () => {
    const { createClient } = await import('../../lib');
    const { firstValueFrom } = await import('rxjs');
    const secret = 'echoed-Secret-0123456789';
    const echo = async (_url: string, init: RequestInit) => new Response(`oops: ${String(init.body)}`, { status: 200 });
    const client = createClient({ url: 'http://127.0.0.1:9', fetch: echo });
    const error = await firstValueFrom(client.authorize({ clientId: 'c', clientSecret: secret })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ kind: 'decode' });
    for (const rendering of [error!.message, String(error), JSON.stringify(error), inspect(error), error!.stack ?? '']) {
      expect(rendering).not.toContain(secret);
    }
  });
});

describe('errors from another copy of the package', () => {
  // A second, separately loaded copy of the module: its classes are distinct objects, as the
  // CommonJS and ESM builds (or two installed versions) are in one app.
  const other = (() => {
    let copy: typeof import('../../lib/errors/kiss-error') | undefined;
    jest.isolateModules(() => {
      copy = require('../../lib/errors/kiss-error');
    });
    return copy!;
  })();

  it('is a distinct copy (the check below could fail)', () => {
    expect(other.ServerError).not.toBe(ServerError);
    expect(Object.getPrototypeOf(new other.ServerError(503, 'busy'))).not.toBe(ServerError.prototype);
  });

  it('is recognised by isKissError and instanceof, class by class', () => {
    const server = new other.ServerError(503, 'busy', ctx);
    expect(isKissError(server)).toBe(true);
    expect(server instanceof ServerError).toBe(true);
    expect(server instanceof HttpError).toBe(true);
    expect(server instanceof KissError).toBe(true);
    expect(server instanceof UnauthorizedError).toBe(false);
    expect(server instanceof KissTimeoutError).toBe(false);
    expect(new other.KissTimeoutError(5) instanceof KissTimeoutError).toBe(true);
    expect(new other.UnauthorizedError('Invalid token') instanceof HttpError).toBe(true);
  });

  it('is not confused with errors that only look alike', () => {
    const lookalike = Object.assign(new Error('x'), { kind: 'timeout', name: 'KissTimeoutError', timeoutMs: 5 });
    expect(isKissError(lookalike)).toBe(false);
    expect(lookalike instanceof KissTimeoutError).toBe(false);
    expect(isKissError(null)).toBe(false);
    expect(isKissError('KissError')).toBe(false);
    expect((null as unknown as object) instanceof KissError).toBe(false);
  });

  it('has its class name whatever a minifier does to the constructor', () => {
    expect(new KissTimeoutError(5).name).toBe('KissTimeoutError');
    expect(String(new other.CancelledError())).toMatch(/^CancelledError: /);
    expect(new ServerError(500, 'x').toJSON()).toMatchObject({ name: 'ServerError', kind: 'server' });
  });
});

describe('every error class of the library', () => {
  it('has its own brand and name: instanceof a subclass is never true of its base', async () => {
    // The main entry's, and the two only the socket raises, which its entry exports.
    const lib = { ...(await import('../../lib')), ...(await import('../../lib/socket')) };
    const classes = Object.entries(lib).filter(
      ([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error,
    ) as Array<[string, { prototype: { name: string } }]>;
    expect(classes.length).toBeGreaterThanOrEqual(15);
    for (const [exported, cls] of classes) {
      // The name the class gives its errors is the name it is exported under...
      expect(Object.getOwnPropertyDescriptor(cls.prototype, 'name')?.value).toBe(exported);
    }
    // ...so a base class's error is not an instance of a subclass.
    expect(new lib.SessionMisuseError('x') instanceof lib.MissingGlobalError).toBe(false);
    expect(new lib.MissingGlobalError('TextEncoder', 'to test') instanceof lib.SessionMisuseError).toBe(true);
    expect(new lib.MissingGlobalError('TextEncoder', 'to test').name).toBe('MissingGlobalError');
  });
});
