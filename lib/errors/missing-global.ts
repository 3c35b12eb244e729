/**
 * A global the client needs that the runtime does not have, as a typed error that names it and
 * says how to provide it, instead of a `ReferenceError` deep in a request (which would otherwise
 * reach the caller as "could not reach the server").
 * @module
 */
import { brand, type ErrorContext, SessionMisuseError } from './kiss-error.js';

const FROM_NODE_UTIL = (name: string) =>
  `Provide it before the client runs: under jest's jsdom environment, a setupFiles script with ` +
  `\`globalThis.${name} ??= require('node:util').${name};\`; elsewhere, load a ${name} polyfill.`;

const FIXES: Record<string, string> = {
  TextEncoder: FROM_NODE_UTIL('TextEncoder'),
  TextDecoder: FROM_NODE_UTIL('TextDecoder'),
  FileReader: 'Pass the document as a Uint8Array instead (or a Blob that has arrayBuffer()), or load a FileReader polyfill before the client runs.',
};

/**
 * The runtime lacks a global the client needs, such as `TextEncoder` (missing under jest's jsdom
 * environment when Node's `Buffer` is not there either) or a `FileReader` to read a `Blob` that
 * has neither `arrayBuffer()` nor `stream()`. `globalName` names it; the message says what needed
 * it and how to provide it (a polyfill, or the line that copies Node's own in a jest setup file).
 * A kind of {@link SessionMisuseError}: retrying cannot help until the runtime is fixed.
 *
 * @example
 * ```ts
 * session.store([{ name: 'notes.txt', data: 'text' }]).subscribe({
 *   error: (e) => {
 *     if (e instanceof MissingGlobalError) console.error(`add ${e.globalName} to this runtime: ${e.message}`);
 *   },
 * });
 * ```
 * @category Errors
 */
export class MissingGlobalError extends SessionMisuseError {
  static {
    brand(this, 'MissingGlobalError');
  }
  /**
   * @param globalName - the missing global, e.g. `TextEncoder`
   * @param need - what the client needed it for, e.g. `to send text documents as UTF-8`
   * @param context - the step and request
   */
  constructor(
    /** The name of the missing global, e.g. `TextEncoder`. */
    readonly globalName: string,
    need: string,
    context: ErrorContext = {},
  ) {
    super(
      `This runtime has no global ${globalName}, which kiss-ai-stack-rx needs ${need}. ` +
        (FIXES[globalName] ?? `Provide it before the client runs: load a ${globalName} polyfill (under jest's jsdom environment, a setupFiles script can copy Node's own onto globalThis).`),
      context,
    );
  }
}

/**
 * The {@link MissingGlobalError} behind a `ReferenceError` such as `TextEncoder is not defined`
 * (by name, not `instanceof`: under jsdom it may come from another realm), else undefined.
 * @internal
 */
export function missingGlobalBehind(error: unknown, context: ErrorContext): MissingGlobalError | undefined {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name !== 'ReferenceError' || typeof message !== 'string') return undefined;
  const missing = /^(\w+) is not defined$/.exec(message)?.[1];
  return missing ? new MissingGlobalError(missing, 'to make this request (or a function it was given, such as the fetch option, does)', context) : undefined;
}
