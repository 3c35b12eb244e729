/**
 * A first-in, first-out queue with O(1) `shift`: the pipeline shifts one entry per answer, and
 * `Array.prototype.shift` on a long array costs a copy each time.
 * @module
 */

/** @internal */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(value: T): void {
    this.items.push(value);
  }

  /** Appends values in their order (a loop, not a spread: no argument-count limit). */
  pushAll(values: readonly T[]): void {
    for (const value of values) this.items.push(value);
  }

  /** Puts values back at the front, in their order. */
  unshiftAll(values: readonly T[]): void {
    this.compact();
    this.items = values.concat(this.items);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head];
    this.items[this.head++] = undefined as T;
    // Emptied: start again from an empty array, not one that keeps the capacity it grew to (an
    // idle session's socket holds its queues for as long as it is open).
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
    return value;
  }

  /** Removes and returns up to `count` values from the front. */
  take(count: number): T[] {
    if (this.head === 0 && count >= this.items.length) {
      const all = this.items;
      this.items = [];
      return all;
    }
    const taken = this.items.slice(this.head, this.head + count);
    for (let i = 0; i < taken.length; i++) this.items[this.head + i] = undefined as T;
    this.head += taken.length;
    if (this.head === this.items.length) this.clear();
    return taken;
  }

  /** Removes one value, searching from the back (recent values are the likely ones). */
  remove(value: T): boolean {
    const index = this.items.lastIndexOf(value);
    if (index < this.head) return false;
    this.items.splice(index, 1);
    return true;
  }

  includes(value: T): boolean {
    return this.items.lastIndexOf(value) >= this.head;
  }

  /** Empties the queue, returning what it held. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.clear();
    return all;
  }

  private clear(): void {
    this.items = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.items = this.items.slice(this.head);
    this.head = 0;
  }
}
