import type { Throttle as PublicThrottle } from "../public-types.js";

/** A per-tenant request budget of one service: a token bucket refilled at `requestsPerSecond` up to `burst`. */
export interface ThrottleLimit {
  /** Sustained rate, requests per real second (> 0). */
  requestsPerSecond: number;
  /** Bucket size: requests accepted at once after an idle spell (≥ 1). */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** Wall-clock milliseconds of the last refill. */
  atMs: number;
}

/**
 * Token buckets per (service, tenant), off until a limit is set for a service, and only for
 * services whose definition says `throttled: true`.
 *
 * Time is real time, not the emulator clock: a throttle limits how fast a client sends requests,
 * and a client's back-off sleeps in real time. On the emulator clock a test that advances 72 hours
 * would refill every bucket at once, and a clock that stands still would never refill one.
 */
export class Throttle implements PublicThrottle {
  readonly #limits = new Map<string, ThrottleLimit>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Sets (or with `undefined` removes) the per-tenant limit of a service; its buckets start full. */
  set(service: string, limit: ThrottleLimit | undefined): void {
    for (const key of [...this.#buckets.keys()]) if (key.startsWith(`${service}\u0000`)) this.#buckets.delete(key);
    if (limit === undefined) {
      this.#limits.delete(service);
      return;
    }
    if (!(Number.isFinite(limit.requestsPerSecond) && limit.requestsPerSecond > 0)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${limit.requestsPerSecond}.`);
    }
    if (!(Number.isInteger(limit.burst) && limit.burst >= 1)) throw new RangeError(`burst must be an integer of at least 1, got ${limit.burst}.`);
    this.#limits.set(service, { requestsPerSecond: limit.requestsPerSecond, burst: limit.burst });
  }

  /** The limit of a service, or `undefined` when it is not throttled. */
  get(service: string): ThrottleLimit | undefined {
    const limit = this.#limits.get(service);
    return limit && { ...limit };
  }

  /**
   * Takes one token for a request of `tenant` to `service`. Returns `undefined` when the request
   * may go on, otherwise the seconds until a token is back (fractional; the caller rounds up).
   */
  take(service: string, tenant: string): number | undefined {
    const limit = this.#limits.get(service);
    if (!limit) return undefined;
    const key = `${service}\u0000${tenant.toLowerCase()}`;
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, atMs: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * limit.requestsPerSecond);
    bucket.atMs = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return (1 - bucket.tokens) / limit.requestsPerSecond;
  }
}
