/**
 * The server the conformance suite runs against: our embedded test server by default, or an
 * external KISS AI Stack server when KISS_STACK_URL is set. Scenarios that need the test server's
 * fault hooks are declared with `withHooks`, which skips them (visibly) against an external server.
 */
import { startTestServer, type TestServer, type TestServerOptions } from '../../lib/testing';
import { createClient, type KissClient, type ClientOptions } from '../../lib';
import { request } from '../testing/helpers';

export const EXTERNAL_URL = process.env.KISS_STACK_URL;

export interface Target {
  /** REST base URL. */
  url: string;
  /** The embedded server, when not running against an external one. */
  server?: TestServer;
  /** True when answers are the test server's deterministic echoes. */
  deterministic: boolean;
  client(options?: Partial<ClientOptions>): KissClient;
  stop(): Promise<void>;
}

export async function startTarget(options?: TestServerOptions): Promise<Target> {
  const server = EXTERNAL_URL ? undefined : await startTestServer(options);
  const url = EXTERNAL_URL ?? server!.url;
  return {
    url,
    server,
    deterministic: !!server,
    client: (extra) => createClient({ url, ...extra }),
    stop: async () => server?.stop(),
  };
}

/** The embedded server, for a scenario declared with `withHooks`. */
export function hooks(target: Target): TestServer {
  if (!target.server) throw new Error('this scenario needs the embedded test server');
  return target.server;
}

/** A test-server hook or option a scenario cannot do without. */
export type TestServerHook = Exclude<keyof TestServer, 'url' | 'wsUrl' | 'host' | 'port' | 'stop'> | keyof TestServerOptions;

/**
 * A scenario that needs the test server's hooks (or options): run against the embedded server,
 * skipped against an external one, with a title that says which hook it needs, e.g.
 * `reports a 503 [needs test-server hook: failNext]`.
 */
export function withHooks(hook: TestServerHook | readonly TestServerHook[], title: string, fn: jest.ProvidesCallback, timeout?: number): void {
  if (!EXTERNAL_URL) return it(title, fn, timeout);
  const needed = (typeof hook === 'string' ? [hook] : hook).join(', ');
  it.skip(`${title} [needs test-server hook: ${needed}]`, fn, timeout);
}

/** Raw POST, bypassing the client, for wire-level quirks the client never provokes. */
export async function rawPost(target: Target, path: string, body: string | object | undefined, headers: Record<string, string> = {}) {
  const response = await request(target.url, path, { body, headers });
  return { ...response, contentType: response.headers.get('content-type') };
}

export { failure } from '../support/failure';
