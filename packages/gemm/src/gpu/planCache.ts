// A bounded map of launch plans: a plan holds tensor maps with raw device pointers, so a long-running process that
// keeps allocating new tensors would otherwise grow it forever. Oldest-inserted entries go first.

const DEFAULT_CAPACITY = 4096;

export class LaunchPlanCache<Plan> {
  readonly #map = new Map<string, Plan>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get(key: string): Plan | undefined {
    return this.#map.get(key);
  }

  /** Stores `plan` under `key` and returns it. */
  set(key: string, plan: Plan): Plan {
    if (this.#map.size >= this.#capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(key, plan);
    return plan;
  }
}
