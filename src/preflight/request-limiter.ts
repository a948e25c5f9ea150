/**
 * A counting semaphore per client context: however many validate() calls run at once on one
 * client, at most `context.maxConcurrency` of their requests are in flight.
 */
import type { ClientContext } from "../internal/context.js";

export class Limiter {
  readonly capacity: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.capacity) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

const limiters = new WeakMap<ClientContext, Limiter>();

export function limiterFor(context: ClientContext): Limiter {
  let limiter = limiters.get(context);
  if (!limiter || limiter.capacity !== Math.max(1, Math.floor(context.maxConcurrency))) {
    limiter = new Limiter(context.maxConcurrency);
    limiters.set(context, limiter);
  }
  return limiter;
}
