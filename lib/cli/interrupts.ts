/**
 * Ctrl-C for the CLI: whoever is waiting on something decides what an interrupt means for it.
 * @module
 */

/**
 * Routes Ctrl-C (SIGINT, or readline's `SIGINT` on a terminal in raw mode) to the handler that
 * registered last: a question in flight cancels itself, chat's prompt ends the chat. With no handler,
 * `fallback` runs (the CLI exits at once), so a Ctrl-C is never swallowed.
 *
 * @example
 * ```ts
 * const interrupts = new Interrupts(() => process.exit(130));
 * process.on('SIGINT', () => interrupts.emit());
 * const off = interrupts.on(() => subscription.unsubscribe());
 * ```
 */
export class Interrupts {
  readonly #handlers: (() => void)[] = [];

  /** @param fallback - what an interrupt does when nothing is waiting for one */
  constructor(private readonly fallback: () => void) {}

  /** Makes `handler` receive interrupts until the returned function is called. */
  on(handler: () => void): () => void {
    const entry = () => handler();
    this.#handlers.push(entry);
    return () => {
      const at = this.#handlers.indexOf(entry);
      if (at >= 0) this.#handlers.splice(at, 1);
    };
  }

  /** An interrupt arrived: the latest handler gets it, or the fallback. */
  emit(): void {
    (this.#handlers.at(-1) ?? this.fallback)();
  }
}
