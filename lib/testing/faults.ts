/**
 * The fault hooks: latency, failing HTTP requests, dropping sockets, failing stores.
 * @module
 */

interface FailPlan {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
}

/** @internal A forced HTTP failure to answer with. */
export interface ForcedFailure {
  status: number;
  retryAfterSeconds?: number;
}

/** @internal */
export class Faults {
  private readonly failPlans: FailPlan[] = [];
  private readonly drops: number[] = [];
  private storesToFail = 0;
  private readonly delays = new Map<ReturnType<typeof setTimeout>, () => void>();
  private released = false;

  constructor(public latencyMs: number) {}

  failNext(count: number, status: number, retryAfterSeconds?: number): void {
    if (count > 0) this.failPlans.push({ remaining: count, status, retryAfterSeconds });
  }

  /** The failure the next HTTP request must answer with, if one is planned (consumes it). */
  takeHttpFailure(): ForcedFailure | undefined {
    const plan = this.failPlans[0];
    if (!plan) return undefined;
    if (--plan.remaining <= 0) this.failPlans.shift();
    return { status: plan.status, retryAfterSeconds: plan.retryAfterSeconds };
  }

  dropSocketAfter(frames: number): void {
    this.drops.push(frames);
  }

  /** True when a socket that just received its `received`-th frame must be dropped (consumes the plan). */
  takeDrop(received: number): boolean {
    const index = this.drops.indexOf(received);
    if (index < 0) return false;
    this.drops.splice(index, 1);
    return true;
  }

  failNextStores(count: number): void {
    this.storesToFail += Math.max(0, count);
  }

  /** True when this store must fail (consumes one). */
  takeStoreFailure(): boolean {
    if (this.storesToFail <= 0) return false;
    this.storesToFail--;
    return true;
  }

  /**
   * Waits `ms` (callers pass the latency sampled when the request or frame arrived, so setLatency
   * affects only what arrives after it); resolved early by {@link releaseDelays}, no wait after it.
   */
  delay(ms: number): Promise<void> {
    if (ms <= 0 || this.released) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  /** Ends every pending delay at once, and every later one (the server is stopping). */
  releaseDelays(): void {
    this.released = true;
    for (const [timer, resolve] of this.delays) {
      clearTimeout(timer);
      resolve();
    }
    this.delays.clear();
  }
}
