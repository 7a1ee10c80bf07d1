/**
 * Waits until `condition` holds, looking every few milliseconds: for a state another process or the
 * event loop reaches on its own (a request arriving at a simulator), instead of sleeping a fixed time
 * and hoping it was enough. The bound only matters when the state never comes; it fails naming `what`.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
