/**
 * Base64 without Node built-ins (uses `Buffer` when the runtime has it, `btoa` otherwise), whole
 * or chunk by chunk.
 * @module
 */

interface BufferLike {
  from(bytes: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
}

/**
 * Encodes bytes as standard base64.
 * @internal
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  // A view of the same memory, not a copy: documents can be many megabytes.
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/**
 * The length of the base64 text of `bytes` bytes.
 * @internal
 */
export const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/**
 * Encodes chunks of bytes (of any sizes) as base64 chunk by chunk, cutting on 3-byte boundaries,
 * so the yielded texts joined are the base64 of all the bytes. Each text comes with the number of
 * bytes it encodes. A source may reuse its buffer once the next chunk is asked for: the 0–2 bytes
 * carried over to the next chunk are copied.
 * @internal
 */
export async function* base64Chunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ text: string; bytes: number }, void, undefined> {
  let carry: Uint8Array | undefined;
  for await (const chunk of chunks) {
    let bytes = chunk;
    if (carry) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
      carry = undefined;
    }
    const whole = bytes.length - (bytes.length % 3);
    if (whole < bytes.length) carry = bytes.slice(whole);
    if (whole > 0) yield { text: bytesToBase64(bytes.subarray(0, whole)), bytes: whole };
  }
  if (carry) yield { text: bytesToBase64(carry), bytes: carry.length };
}
