// Small helpers shared by the benchmarks.

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs two async operations alternately (ABAB…) after a warm-up, so drift on the machine affects
 * both alike, and returns each one's per-iteration times in milliseconds. The warm-up is long
 * enough for V8 to optimise the client's path: with 200 rounds the first measured block still ran
 * ~20% slower than the steady state, which is what a long-running app sees.
 */
export async function interleave(a, b, { warmup = 1500, rounds = 2000 } = {}) {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const ta = [];
  const tb = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]];
    for (const [run, times] of order) {
      const start = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return { a: ta, b: tb };
}
