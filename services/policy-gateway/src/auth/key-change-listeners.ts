/**
 * The listeners a key repository calls after a change made through it (`onChange` of the
 * port), shared by the adapters so that both announce a change the same way: after it is
 * stored, to every listener in turn. Listeners evict from a cache and must not throw.
 */
export class KeyChangeListeners {
  readonly #listeners = new Set<(id: string) => void>();

  add(listener: (id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  announce(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }
}
