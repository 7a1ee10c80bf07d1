/**
 * Per-process memo for read-only catalog calls (tenants, distributions, tariffs, software): fetched at
 * most once per provider process, so `check` during preview costs no repeated API calls. Failures are
 * not cached.
 */
export class OnceCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key);
    if (!p) {
      p = load();
      this.entries.set(key, p);
      p.catch(() => this.entries.delete(key));
    }
    return p;
  }

  clear(): void {
    this.entries.clear();
  }
}
