/**
 * Reading a request body and parsing it the way FastAPI does: JSON when the content type is JSON or
 * absent, the raw text otherwise (which then fails validation), a 422 problem for malformed JSON
 * naming Python's error and position.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { readPythonJson, toJs } from './python-json.js';
import type { Problem } from './validation.js';

/** @internal `value` is undefined for an empty body. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: Problem };

/** @internal */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * @internal FastAPI's `await request.json()`: Python's `json.loads` of the bytes (a UTF-8 byte-order
 * mark is skipped; `NaN` and `Infinity` are accepted), its error message and position in the 422.
 */
export function parseBody(bytes: Buffer, contentType: string | undefined): ParsedBody {
  if (bytes.length === 0) return { ok: true, value: undefined };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (contentType !== undefined && !isJsonType(contentType)) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const read = readPythonJson(text);
    if (read.ok) return { ok: true, value: toJs(read.value) };
    return { ok: false, problem: { kind: 'json', loc: ['body', read.pos], error: read.msg, doc: text, pos: read.pos } };
  }
}

/** application/json and application/*+json, parameters ignored. */
function isJsonType(contentType: string): boolean {
  const [type = ''] = contentType.toLowerCase().split(';');
  const [main, sub = ''] = type.trim().split('/');
  return main === 'application' && (sub === 'json' || sub.endsWith('+json'));
}
