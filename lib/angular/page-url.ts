/**
 * A relative server URL (`/kiss`, behind the dev server's proxy or the app's own origin), resolved
 * against the page, since the client itself needs an absolute one.
 * @module
 */
import { SessionMisuseError } from 'kiss-ai-stack-rx';

/** A URL with a scheme (`http:`, `https:`, `ws:`, …) is absolute; anything else is relative to a page. */
const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;

/**
 * Resolves `url` against the page it runs in: an absolute URL is returned as it is; a relative one
 * (`/kiss`, `kiss`, `//host/kiss`) is resolved against `base`, the document's base URI (which
 * honours a `<base href>`). Without a page (server-side rendering with no base) a relative URL
 * fails with a {@link SessionMisuseError} that says to pass an absolute one.
 *
 * @param url - the `url` option as the user gave it
 * @param base - the page's base URI, e.g. `document.baseURI`; undefined where there is no page
 * @example
 * ```ts
 * resolvePageUrl('/kiss', 'http://localhost:4200/'); // 'http://localhost:4200/kiss'
 * resolvePageUrl('https://stack.example.com', 'http://localhost:4200/'); // unchanged
 * ```
 * @category Angular
 */
export function resolvePageUrl(url: string, base: string | undefined): string {
  if (ABSOLUTE.test(url)) return url;
  let resolved: URL | undefined;
  try {
    resolved = base ? new URL(url, base) : undefined;
  } catch {
    resolved = undefined;
  }
  if (!resolved || !/^https?:$/.test(resolved.protocol)) {
    throw new SessionMisuseError(
      `The url option "${url}" is relative, and there is no web page to resolve it against${base ? ` (the base is ${base})` : ''}. ` +
        'Pass an absolute URL such as https://stack.example.com/kiss, e.g. when rendering on the server.',
    );
  }
  return resolved.href;
}

/** The page's base URI: the document's (a `<base href>` counts), else the window's location. */
export function pageBase(document: { baseURI?: string } | null): string | undefined {
  return document?.baseURI || (globalThis as { location?: { href?: string } }).location?.href || undefined;
}
