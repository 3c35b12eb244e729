/**
 * The bearer checks: the REST middleware's (any header holding the word `Bearer`, token = its second
 * space-separated word) and the socket handshake's (`Bearer ` then the token). Both then check the
 * token, then that its client is active.
 * @module
 */
import type { Client, ClientRegistry } from './clients.js';
import type { TokenIssuer } from './tokens.js';

/** @internal */
export type Authenticated = { ok: true; client: Client } | { ok: false; detail: string };

/**
 * @internal The session middleware's check, detail for detail: no header or no `Bearer` in it →
 * "Authorization header missing"; no second word → "Invalid token format" (so `Bearer` alone, or two
 * spaces after it); a bad or expired token → "Invalid token"; an unknown or deactivated client →
 * "Invalid or inactive session".
 */
export async function authenticateRest(header: string | undefined, tokens: TokenIssuer, clients: ClientRegistry): Promise<Authenticated> {
  if (!header || !header.includes('Bearer')) return { ok: false, detail: 'Authorization header missing' };
  const token = header.split(' ')[1];
  if (!token) return { ok: false, detail: 'Invalid token format' };
  return checkToken(token, tokens, clients);
}

/** @internal The `/ws` handshake's check: the header must start with `Bearer `; any failure is a 403. */
export function authenticateHandshake(header: string | undefined, tokens: TokenIssuer, clients: ClientRegistry): Promise<Authenticated> {
  if (!header || !header.startsWith('Bearer ')) return Promise.resolve({ ok: false, detail: 'Missing or invalid Authorization header' });
  return checkToken(header.slice('Bearer '.length), tokens, clients);
}

async function checkToken(token: string, tokens: TokenIssuer, clients: ClientRegistry): Promise<Authenticated> {
  const claims = tokens.verify(token);
  if (!claims) return { ok: false, detail: 'Invalid token' };
  const client = clients.findActive(claims.clientId);
  if (!client) return { ok: false, detail: 'Invalid or inactive session' };
  return { ok: true, client };
}
