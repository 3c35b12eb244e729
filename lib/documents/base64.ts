/**
 * Base64 without Node built-ins (uses `Buffer` when the runtime has it, `btoa` otherwise).
 * @module
 */

interface BufferLike {
  from(bytes: Uint8Array): { toString(encoding: 'base64'): string };
}

/**
 * Encodes bytes as standard base64.
 * @internal
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64');
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
