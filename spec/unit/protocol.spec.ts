import { DecodeError } from '../../lib/errors/kiss-error';
import {
  answerExtrasCodec,
  authResponseCodec,
  errorBodyCodec,
  stackResponseCodec,
  storeExtrasCodec,
  socketRequestCodec,
} from '../../lib/protocol/codecs';
import { decodeJson, decodeOrThrow, decodeSocketFrame, isSocketErrorFrame } from '../../lib/protocol/decode';

const FAKE_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

function decodeFailure(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('protocol codecs', () => {
  it('accepts every documented success body, with unknown extra fields', () => {
    expect(decodeOrThrow(authResponseCodec, { access_token: 't', client_id: 'c', client_secret: 's', extra: 1 })).toMatchObject({ client_id: 'c' });
    expect(decodeOrThrow(stackResponseCodec, { stack_id: 'c', result: 'Greetings!', extras: null, more: true })).toMatchObject({ result: 'Greetings!' });
    expect(decodeOrThrow(answerExtrasCodec, { query: 'q', metadata: null, distances: null, supporting_documents: null })).toBeTruthy();
    expect(decodeOrThrow(answerExtrasCodec, { query: 'q', metadata: [[{ a: 1 }]], distances: [[0.1]], supporting_documents: [['x']] })).toBeTruthy();
    expect(decodeOrThrow(storeExtrasCodec, { documents: ['a', 'b'] })).toEqual({ documents: ['a', 'b'] });
    expect(decodeOrThrow(storeExtrasCodec, null)).toBeNull();
  });

  it('accepts both shapes of the 422 validation list and a string detail', () => {
    const v1 = { detail: [{ loc: ['body', 'files'], msg: 'field required', type: 'value_error.missing' }] };
    const v2 = { detail: [{ type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: {} }] };
    expect(decodeOrThrow(errorBodyCodec, v1).detail).toHaveLength(1);
    expect(decodeOrThrow(errorBodyCodec, v2).detail).toHaveLength(1);
    expect(decodeOrThrow(errorBodyCodec, { detail: 'Invalid token' }).detail).toBe('Invalid token');
  });

  it('tells socket error frames from result frames', () => {
    const err = decodeSocketFrame(JSON.stringify({ error: true, status_code: 400, detail: 'Invalid event: bogus' }));
    expect(isSocketErrorFrame(err) && err.status_code).toBe(400);
    const ok = decodeSocketFrame(JSON.stringify({ event: 'on_query', result: { stack_id: 's', result: 'a', extras: null } }));
    expect(!isSocketErrorFrame(ok) && ok.event).toBe('on_query');
    // only `error: true` makes a failure frame; anything else is an answer, decoded as one
    const notAnError = decodeSocketFrame(JSON.stringify({ error: false, event: 'on_query', result: { stack_id: 's', result: 'a', extras: null } }));
    expect(isSocketErrorFrame(notAnError)).toBe(false);
    expect(() => decodeSocketFrame(JSON.stringify({ error: false, status_code: 400, detail: 'x' }))).toThrow(DecodeError);
    expect(() => decodeSocketFrame('not json')).toThrow(DecodeError);
    expect(() => decodeOrThrow(socketRequestCodec, { event: 'bogus', data: { query: 'x' } })).toThrow(DecodeError);
  });

  it('names the failing path and shows the received value', () => {
    const e = decodeFailure(() => decodeOrThrow(stackResponseCodec, { stack_id: 5, result: 'x', extras: null }));
    expect(e.kind).toBe('decode');
    expect(e.path).toBe('stack_id');
    expect(e.received).toBe('5');
    expect(e.message).toContain('`stack_id`');
    const nested = decodeFailure(() => decodeOrThrow(storeExtrasCodec, { documents: ['a', 7] }));
    expect(nested.path).toBe('documents[1]');
  });

  it('names the codec and the deepest path of a nested bad field, skipping union branches', () => {
    const bad = (fn: () => unknown) => {
      const { expected, path, received } = decodeFailure(fn);
      return { expected, path, received };
    };
    // a bad element inside extras: a record of arrays, behind a `| null`
    expect(bad(() => decodeOrThrow(storeExtrasCodec, { documents: ['a', 'b'], more: ['c', { id: 7 }] }))).toEqual({
      expected: '(StoreExtras | null)',
      path: 'more[1]',
      received: '{"id":7}',
    });
    expect(bad(() => decodeOrThrow(answerExtrasCodec, { query: 'q', distances: 'far' }))).toEqual({
      expected: '(AnswerExtras | null)',
      path: 'distances',
      received: '"far"',
    });
    // two objects deep in a socket frame; a missing field shows `undefined`
    expect(bad(() => decodeSocketFrame(JSON.stringify({ event: 'on_query', result: { stack_id: 's', result: 4, extras: null } })))).toEqual({
      expected: 'SocketResult',
      path: 'result.result',
      received: '4',
    });
    expect(bad(() => decodeSocketFrame(JSON.stringify({ error: true, detail: 'x' })))).toEqual({
      expected: 'SocketError',
      path: 'status_code',
      received: 'undefined',
    });
    // through a union (`data`) and an array: the branch that got furthest is the one reported
    const files = [{ name: 'a', content: 'b' }, { name: 'c', content: 3 }];
    expect(bad(() => decodeOrThrow(socketRequestCodec, { event: 'on_store', data: { files, metadata: {} } }))).toEqual({
      expected: 'SocketRequest',
      path: 'data.files[1].content',
      received: '3',
    });
    // through a union, an array, a union of two issue shapes (one an intersection) and an array
    expect(bad(() => decodeOrThrow(errorBodyCodec, { detail: [{ type: 't', loc: ['body', true], msg: 'm' }] }))).toEqual({
      expected: 'ErrorBody',
      path: 'detail[0].loc[1]',
      received: 'true',
    });
    // the root itself
    expect(bad(() => decodeOrThrow(authResponseCodec, 'token'))).toEqual({ expected: 'AuthResponse', path: '', received: '"token"' });
  });

  it('reports the first of many bad items of a long array (their reports nest as deep as it is long)', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => i);
    expect(decodeFailure(() => decodeOrThrow(storeExtrasCodec, { documents: ids })).path).toBe('documents[0]');
  });

  it('keeps the fields the codec does not name, also when a field that may be anything is missing', () => {
    const full = { stack_id: 's', result: 'a', extras: null, more: 1 };
    expect(decodeOrThrow(stackResponseCodec, full)).toBe(full);
    // `extras: unknown` takes undefined, so an answer without it decodes (and fails later, as an answer)
    const noExtras = { stack_id: 's', result: 'a', more: 1 };
    expect(decodeOrThrow(stackResponseCodec, noExtras)).toBe(noExtras);
  });

  it('redacts secrets and truncates long values in decode errors', () => {
    const e = decodeFailure(() => decodeOrThrow(authResponseCodec, { access_token: FAKE_JWT, client_secret: 'hunter2', client_id: 3, pad: 'x'.repeat(500) }));
    expect(e.path).toBe('client_id');
    const whole = decodeFailure(() => decodeOrThrow(authResponseCodec, [FAKE_JWT, { client_secret: 'hunter2', pad: 'y'.repeat(500) }]));
    expect(whole.message).not.toContain(FAKE_JWT);
    expect(whole.message).not.toContain('hunter2');
    expect(whole.received).toContain('[redacted]');
    expect(whole.received.length).toBeLessThan(220);
  });

  it('reports non-JSON text as a decode error', () => {
    const e = decodeFailure(() => decodeJson(stackResponseCodec, '<html>proxy error</html>'));
    expect(e.received).toContain('non-JSON');
    expect(e.message).toContain('<html>proxy error</html>');
  });
});
