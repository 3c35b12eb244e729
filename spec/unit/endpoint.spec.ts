import { SessionMisuseError } from '../../lib/errors/kiss-error';
import { resolveEndpoint } from '../../lib/rest/endpoint';

describe('resolveEndpoint', () => {
  it.each([
    [{ host: 'example.com' }, 'https://example.com', 'wss://example.com/ws'],
    [{ host: 'localhost:8080', secure: false }, 'http://localhost:8080', 'ws://localhost:8080/ws'],
    [{ host: 'localhost', port: 8080, secure: false, pathPrefix: '/kiss/' }, 'http://localhost:8080/kiss', 'ws://localhost:8080/kiss/ws'],
    [{ host: 'h', pathPrefix: 'api' }, 'https://h/api', 'wss://h/api/ws'],
    [{ url: 'http://127.0.0.1:9000/' }, 'http://127.0.0.1:9000', 'ws://127.0.0.1:9000/ws'],
    [{ url: 'https://x.io/p' }, 'https://x.io/p', 'wss://x.io/p/ws'],
    [{ url: 'http://[::1]:8080' }, 'http://[::1]:8080', 'ws://[::1]:8080/ws'],
    [{ url: 'http://api.localhost' }, 'http://api.localhost', 'ws://api.localhost/ws'],
    [{ url: 'http://10.0.0.5:8080', allowInsecure: true }, 'http://10.0.0.5:8080', 'ws://10.0.0.5:8080/ws'],
  ])('resolves %j', (options, httpBase, wsUrl) => {
    expect(resolveEndpoint(options)).toEqual({ httpBase, wsUrl });
  });

  it.each([
    [{}, /No server given/],
    [{ host: 'http://x' }, /contains a scheme/],
    [{ host: 'x', port: 70000 }, /port option/],
    [{ host: 'x:1', port: 2 }, /already carries a port/],
    [{ url: 'not a url' }, /not a valid URL/],
    [{ url: 'ftp://x' }, /must start with http/],
    [{ url: 'http://10.0.0.5:8080' }, /allowInsecure/],
    [{ url: 'ws://kiss.example.com' }, /allowInsecure/],
    [{ host: 'kiss.example.com', secure: false }, /allowInsecure/],
    [null, /must be an object/],
  ])('rejects %j with a misuse error', (options, message) => {
    expect(() => resolveEndpoint(options as never)).toThrow(SessionMisuseError);
    expect(() => resolveEndpoint(options as never)).toThrow(message);
  });
});
