import type { EmulatorClock as PublicEmulatorClock } from "../public-types.js";

/**
 * The emulator's clock: wall time plus an offset that tests move forward. Everything that takes
 * hours or days in reality (Do-Not-Cancel approval, purge dates, mailbox encryption) reads it.
 * Access tokens do not: their expiry is checked against real time, because the Azure SDK caches
 * tokens by real time and would otherwise send tokens the emulator calls expired.
 */
export interface Duration {
  /** Days (24 h each); 0 by default. */
  days?: number;
  /** Hours; 0 by default. */
  hours?: number;
  /** Minutes; 0 by default. */
  minutes?: number;
  /** Seconds; 0 by default. */
  seconds?: number;
  /** Milliseconds; 0 by default. */
  milliseconds?: number;
}

export function durationToMs(duration: number | Duration): number {
  if (typeof duration === "number") return duration;
  return (
    (duration.days ?? 0) * 86_400_000 +
    (duration.hours ?? 0) * 3_600_000 +
    (duration.minutes ?? 0) * 60_000 +
    (duration.seconds ?? 0) * 1000 +
    (duration.milliseconds ?? 0)
  );
}

/** The emulator's clock; its public face is the `EmulatorClock` interface. */
export class EmulatorClock implements PublicEmulatorClock {
  #offsetMs: number;
  readonly #onChange: () => void;

  constructor(offsetMs = 0, onChange: () => void = () => {}) {
    this.#offsetMs = offsetMs;
    this.#onChange = onChange;
  }

  /** The emulated current time. */
  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Unix seconds, as Key Vault reports times. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves time forward (never backward: soft-delete and approval logic assume monotonic time). */
  advance(duration: number | Duration): Date {
    const ms = durationToMs(duration);
    if (!(ms >= 0)) throw new RangeError("The emulator clock only moves forward; pass a positive duration.");
    this.#offsetMs += ms;
    this.#onChange();
    return this.now();
  }

  /** Sets the emulated time to a later moment. */
  set(to: Date): Date {
    return this.advance(Math.max(0, to.getTime() - this.nowMs()));
  }

  /** The offset from wall time, kept in the state file. */
  get offsetMs(): number {
    return this.#offsetMs;
  }
}
