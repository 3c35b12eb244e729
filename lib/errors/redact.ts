/**
 * Keeping secrets out of error messages, logs and events.
 * @module
 */

/** Object keys whose values are secrets, whatever their nesting. */
const SECRET_KEY = /token|secret|authorization|password|api[-_]?key/i;
/** A JWT: three base64url parts separated by dots, starting with an encoded `{"`. */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]+/g;
/** A bearer credential in free text. */
const BEARER = /(Bearer\s+)\S+/g;

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Removes JWTs and bearer credentials from free text.
 * @internal
 */
export function redactText(text: string): string {
  return text.replace(BEARER, `$1${REDACTED}`).replace(JWT, REDACTED);
}

/**
 * Removes the given secrets (a request's token, a client secret) wherever they appear in text the
 * server sent back, e.g. a `detail` that echoes the request. Runs before the text enters an error.
 * @internal
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A deep copy of `value` where every secret-named field and every JWT-looking string is replaced
 * by `[redacted]`. Cycles are cut.
 * @internal
 */
export function redactValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined ? REDACTED : redactValue(item, seen);
  }
  return out;
}

/**
 * A short, redacted, single-line rendering of a received value for an error message.
 * @internal
 */
export function previewValue(value: unknown, maxLength = 160): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(redactValue(value)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
}
