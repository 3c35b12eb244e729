/**
 * The error contexts of a transport's steps, made once per method and URL for the whole process:
 * every client of one server shares them, frozen, instead of building five per client.
 * @module
 */
import type { ErrorContext, Step } from '../errors/kiss-error.js';
import { cached } from './cache.js';

const STEPS: readonly Step[] = ['authorize', 'bootstrap', 'ask', 'store', 'destroy'];
const contexts = new Map<string, Record<Step, ErrorContext>>();

/**
 * The frozen `{ step, method, url }` of every step, `urlOf(step)` being the URL it calls; cached by
 * `method` and `base` (the server's base URL, from which `urlOf` builds).
 * @internal
 */
export function stepContexts(method: 'POST' | 'WS', base: string, urlOf: (step: Step) => string): Record<Step, ErrorContext> {
  return cached(contexts, `${method} ${base}`, () => {
    const made = {} as Record<Step, ErrorContext>;
    for (const step of STEPS) made[step] = Object.freeze({ step, method, url: urlOf(step) });
    return made;
  });
}
