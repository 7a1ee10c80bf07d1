/**
 * Serializes work per key (a VM id) inside one provider process: a second operation on the same
 * server waits for the first, while different servers proceed in parallel.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while some operation holds or waits for `key`. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}

/** Process-wide lock for operations on one host object, keyed by `lockKey`. */
export const objectLocks = new KeyedMutex();

/**
 * The key of one host object's lock, e.g. `flops:vm:88977`: every resource that touches the object
 * must build it the same way, or two of them would run on it at once.
 */
export function lockKey(host: string, kind: "server" | "vm", id: string | number): string {
  return `${host}:${kind}:${id}`;
}
