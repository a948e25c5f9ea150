/**
 * An adaptive request-rate limiter for bulk writes against a throttled service (AIMD, as TCP
 * does): requests start paced at `initialRate`; each success raises the rate (by 10 % per success
 * until the first throttle, "slow start"; then by 2 % of the rate each second); a throttle (429) lowers it by `decrease` once per round trip and pauses every
 * sender for the `Retry-After` the service asked for. The pause is the main back-off: against a
 * token bucket (a sustained rate plus a burst) the bucket refills while everyone waits, and a rate
 * kept a little above the refill rate spends those tokens, so the whole budget is used while the
 * service sees one 429 per pause, never a stream of them. Running below the refill rate with a
 * full bucket would waste budget, hence the mild decrease; but the rate never stays more than 10 %
 * above what the service let through over the last 5 seconds, so an overshoot is corrected at once.
 * Written here rather than taken from p-limit/bottleneck: those pace at a fixed rate, and the
 * service's rate is not known in advance.
 */
import { sleep, throwIfAborted } from "./abort.js";

/** Settings of an {@link AdaptiveRateLimiter}. */
export interface AdaptiveRateSettings {
  /** Requests per second to start with; default 10. */
  initialRate?: number;
  /** Never faster than this; default 1000 per second. */
  maxRate?: number;
  /** Never slower than this; default 0.5 per second. */
  minRate?: number;
  /** The rate is multiplied by this on a throttle; default 0.95 (the pause for Retry-After is the main back-off). */
  decrease?: number;
}

/** How far back the rate the service allowed is measured. */
const WINDOW_MS = 5000;

export class AdaptiveRateLimiter {
  #rate: number;
  readonly #max: number;
  readonly #min: number;
  readonly #decrease: number;
  #slowStart = true;
  /** When the next request may start (performance.now() ms). */
  #nextAt = 0;
  #pausedUntil = 0;
  /** Throttles of requests sent before the last decrease do not decrease again. */
  #lastDecreaseAt = -Infinity;
  throttles = 0;
  /** Completion times of recent successes (the last WINDOW_MS), to measure what the service let through. */
  #successes: number[] = [];
  #firstAt: number | undefined;

  constructor(settings: AdaptiveRateSettings = {}) {
    this.#max = settings.maxRate ?? 1000;
    this.#min = settings.minRate ?? 0.5;
    this.#rate = Math.min(this.#max, settings.initialRate ?? 10);
    this.#decrease = settings.decrease ?? 0.95;
  }

  /** The current rate, requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Waits for this request's turn; returns the time it was sent (pass it to onThrottle). */
  async acquire(signal: AbortSignal | undefined, operation: string): Promise<number> {
    for (;;) {
      throwIfAborted(signal, operation);
      const now = performance.now();
      const at = Math.max(now, this.#nextAt, this.#pausedUntil);
      if (at <= now) {
        this.#firstAt ??= now;
        this.#nextAt = Math.max(this.#nextAt, now - 1000 / this.#rate) + 1000 / this.#rate;
        return now;
      }
      await sleep(Math.max(1, at - now), signal, operation);
    }
  }

  /** A request succeeded: speed up. */
  onSuccess(): void {
    const now = performance.now();
    this.#successes.push(now);
    if (this.#successes.length > 4096 || this.#successes[0]! < now - WINDOW_MS) this.#successes = this.#successes.filter((t) => t >= now - WINDOW_MS);
    // Slow start: +10 % per success (min +1) until the first throttle; then +0.02 per success,
    // which is +2 % of the rate per second: back to the service's rate within seconds after a dip,
    // slowly enough that the bucket's refill during a pause lasts a while (fewer 429s).
    this.#rate = Math.min(this.#max, this.#slowStart ? this.#rate + Math.max(1, this.#rate * 0.1) : this.#rate + 0.02);
  }

  /** A request sent at `sentAt` was throttled: slow down once per round trip, and pause all for `retryAfterMs`. */
  onThrottle(sentAt: number, retryAfterMs: number | undefined): void {
    this.throttles++;
    const now = performance.now();
    this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.max(0, retryAfterMs ?? 1000 / this.#rate));
    if (sentAt < this.#lastDecreaseAt) return;
    this.#slowStart = false;
    // Never more than a little above what the service let through lately (pauses included): one
    // throttle after an overshoot (slow start) brings the rate down at once, not over many pauses.
    const span = Math.min(WINDOW_MS, now - (this.#firstAt ?? now));
    const recent = this.#successes.filter((t) => t >= now - WINDOW_MS).length;
    const ceiling = span >= 1000 ? (recent / (span / 1000)) * 1.1 : Infinity;
    this.#rate = Math.max(this.#min, Math.min(this.#rate * this.#decrease, ceiling));
    this.#lastDecreaseAt = now;
  }
}
