/**
 * Waits until `check` holds, re-checking on every turn of the event loop (and at least every few
 * ms). It waits for a state, not for a time: the deadline only turns a hang into a clear failure.
 */
export async function eventually(check: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > deadlineMs) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
