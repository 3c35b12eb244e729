/**
 * The `transport` option for a transport's name, for specs that run the same checks over REST and
 * over the socket (`it.each(['rest', 'socket'])`).
 */
import { socketTransport } from '../../lib/socket';

/** How parametrised specs name the two transports. */
export type TransportName = 'rest' | 'socket';

/** The `transport` option that picks `name`. */
export function transportOption(name: TransportName): 'rest' | typeof socketTransport {
  return name === 'socket' ? socketTransport : 'rest';
}
