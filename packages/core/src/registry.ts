/**
 * Named factories registered explicitly by the app (as grpc-js `registerResolver` or OVMS's
 * filesystem factory by URL prefix): storage backends by scheme, engines by name.
 */
export class Registry<K, F> {
  readonly #entries = new Map<K, F>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  register(key: K, factory: F): void {
    if (this.#entries.has(key))
      throw new Error(`${this.#what} ${String(key)} is already registered`);
    this.#entries.set(key, factory);
  }

  get(key: K): F | undefined {
    return this.#entries.get(key);
  }

  keys(): K[] {
    return [...this.#entries.keys()];
  }
}
