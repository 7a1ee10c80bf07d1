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

/** Process-wide lock for operations on one host object, keyed `<host>:<id>`. */
export const objectLocks = new KeyedMutex();
