/**
 * The bearer check of every authenticated call and of the socket handshake, in the order of the
 * real server's dependency: header, then token, then an active client.
 * @module
 */
import type { Client, ClientRegistry } from './clients.js';
import type { TokenIssuer } from './tokens.js';

/** @internal */
export type Authenticated = { ok: true; client: Client } | { ok: false; detail: string };

/** @internal The header must read exactly `Bearer <token>`; anything else counts as missing. */
export async function authenticate(header: string | undefined, tokens: TokenIssuer, clients: ClientRegistry): Promise<Authenticated> {
  if (!header || !header.startsWith('Bearer ')) return { ok: false, detail: 'Authorization header missing' };
  const claims = await tokens.verify(header.slice('Bearer '.length));
  if (!claims) return { ok: false, detail: 'Invalid token' };
  const client = clients.findActive(claims.clientId);
  if (!client) return { ok: false, detail: 'Invalid or inactive session' };
  return { ok: true, client };
}
