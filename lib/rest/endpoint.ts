/**
 * Where the server is: options in, REST base URL and socket URL out.
 * @module
 */
import { SessionMisuseError } from '../errors/kiss-error.js';

/**
 * Where to find the server. Give either `url`, or `host` (with optional `port`, `pathPrefix`
 * and `secure`).
 * @category Client
 */
export interface EndpointOptions {
  /**
   * The server's full base URL, e.g. `http://localhost:8080` or `https://example.com/kiss`.
   * Overrides `host`, `port`, `pathPrefix` and `secure`.
   */
  url?: string;
  /** Host name, optionally with a port: `localhost:8080`, `api.example.com`. */
  host?: string;
  /** Port, when `host` carries none. @default the scheme's default port */
  port?: number;
  /** Path prefix when the server sits behind a proxy, e.g. `/kiss`. @default '' */
  pathPrefix?: string;
  /** Use `https`/`wss` instead of `http`/`ws`. @default true */
  secure?: boolean;
  /**
   * Allow plain `http://` / `ws://` to a host that is not this machine. Tokens and client secrets
   * then cross the network unencrypted; without this option such a URL is refused.
   * @default false
   */
  allowInsecure?: boolean;
}

/**
 * Resolved addresses of one server.
 * @category Client
 */
export interface Endpoint {
  /** REST base, without a trailing slash: `http://localhost:8080/kiss`. */
  readonly httpBase: string;
  /** Socket URL: `ws://localhost:8080/kiss/ws`. */
  readonly wsUrl: string;
}

const misuse = (message: string) => new SessionMisuseError(message);

/**
 * Resolves endpoint options, throwing a {@link SessionMisuseError} for options that cannot work.
 *
 * @example
 * ```ts
 * resolveEndpoint({ host: 'localhost', port: 8080, secure: false }).httpBase; // 'http://localhost:8080'
 * ```
 * @category Client
 */
export function resolveEndpoint(options: EndpointOptions): Endpoint {
  if (options === null || typeof options !== 'object') {
    throw misuse(`Options must be an object such as { url: 'http://localhost:8080' }, not ${options === null ? 'null' : typeof options}.`);
  }
  let url: URL;
  if (options.url !== undefined) {
    try {
      url = new URL(options.url);
    } catch {
      throw misuse(`The url option "${options.url}" is not a valid URL; use a form like http://localhost:8080.`);
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
      throw misuse(`The url option must start with http://, https://, ws:// or wss://, not ${url.protocol}//.`);
    }
  } else {
    const host = options.host?.trim();
    if (!host) throw misuse('No server given; pass the url option, or host (and port, secure).');
    if (/^[a-z]+:\/\//i.test(host)) {
      throw misuse(`The host option "${host}" contains a scheme; pass it as the url option, or drop the scheme and set secure.`);
    }
    const secure = options.secure ?? true;
    try {
      url = new URL(`${secure ? 'https' : 'http'}://${host}`);
    } catch {
      throw misuse(`The host option "${host}" is not a valid host name.`);
    }
    if (options.port !== undefined) {
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
        throw misuse(`The port option must be an integer from 1 to 65535, not ${options.port}.`);
      }
      if (/:\d+$/.test(host)) throw misuse(`The host "${host}" already carries a port; drop the port option or the port in host.`);
      url.port = String(options.port);
    }
    url.pathname = options.pathPrefix ?? '';
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && !isLoopback(url.hostname) && options.allowInsecure !== true) {
    throw misuse(
      `${url.protocol}//${url.host} is not encrypted and not this machine: tokens and the client secret would cross the network in the clear. ` +
        'Use https:// (or secure: true), or pass allowInsecure: true if that is really what you want.',
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  const authority = url.host;
  return {
    httpBase: `${secure ? 'https' : 'http'}://${authority}${path}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${authority}${path}/ws`,
  };
}

/** This machine: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1`. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || /^::ffff:127(\.\d{1,3}){3}$/.test(host);
}
