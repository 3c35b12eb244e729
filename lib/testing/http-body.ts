/**
 * Reading a request body and parsing it the way FastAPI does: JSON when the content type is JSON or
 * absent, the raw text otherwise (which then fails validation), a 422 problem for malformed JSON.
 * @module
 */
import type { IncomingMessage } from 'node:http';
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

/** @internal */
export function parseBody(bytes: Buffer, contentType: string | undefined): ParsedBody {
  if (bytes.length === 0) return { ok: true, value: undefined };
  const text = bytes.toString('utf8');
  if (contentType !== undefined && !isJsonType(contentType)) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const pos = errorPosition(error, text);
    return { ok: false, problem: { kind: 'json', loc: ['body', pos], error: 'Expecting value', doc: text, pos } };
  }
}

/** application/json and application/*+json, parameters ignored. */
function isJsonType(contentType: string): boolean {
  const [type = ''] = contentType.toLowerCase().split(';');
  const [main, sub = ''] = type.trim().split('/');
  return main === 'application' && (sub === 'json' || sub.endsWith('+json'));
}

/** V8 names a position for most errors; an unexpected end is at the end. */
function errorPosition(error: unknown, text: string): number {
  const message = error instanceof Error ? error.message : '';
  const match = /position (\d+)/.exec(message);
  if (match?.[1]) return Number(match[1]);
  return /end of JSON/i.test(message) ? text.length : 0;
}
