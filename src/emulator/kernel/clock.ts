import type { EmulatorClock as PublicEmulatorClock } from "../public-types.js";

/**
 * The emulator's clock: wall time plus an offset that tests move forward, optionally running
 * `rate` times faster than wall time (a separately running emulator has no test to move it).
 * Everything that takes hours or days in reality (Do-Not-Cancel approval, purge dates, mailbox
 * encryption) reads it.
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
  // Emulated time = #anchorEmulatedMs + (wall time since #anchorWallMs) × rate: the rate scales only
  // the time passed since start, so rate 1 is exactly wall time plus the offset.
  readonly #anchorWallMs: number;
  #anchorEmulatedMs: number;
  readonly #rate: number;
  readonly #onChange: () => void;

  constructor(offsetMs = 0, onChange: () => void = () => {}, rate = 1) {
    if (!(Number.isFinite(rate) && rate > 0)) throw new RangeError(`The emulator clock rate must be a positive number, not ${rate}.`);
    this.#anchorWallMs = Date.now();
    this.#anchorEmulatedMs = this.#anchorWallMs + offsetMs;
    this.#rate = rate;
    this.#onChange = onChange;
  }

  /** The emulated current time. */
  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.#at(Date.now());
  }

  /** The emulated time at a wall-clock time. */
  #at(wallMs: number): number {
    return Math.floor(this.#anchorEmulatedMs + (wallMs - this.#anchorWallMs) * this.#rate);
  }

  /** Unix seconds, as Key Vault reports times. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves time forward (never backward: soft-delete and approval logic assume monotonic time). */
  advance(duration: number | Duration): Date {
    const ms = durationToMs(duration);
    if (!(ms >= 0)) throw new RangeError("The emulator clock only moves forward; pass a positive duration.");
    this.#anchorEmulatedMs += ms;
    this.#onChange();
    return this.now();
  }

  /** Sets the emulated time to a later moment. */
  set(to: Date): Date {
    return this.advance(Math.max(0, to.getTime() - this.nowMs()));
  }

  /** How many emulated milliseconds pass per wall-clock millisecond; 1 unless the emulator started with a `clockRate`. */
  get rate(): number {
    return this.#rate;
  }

  /** The offset from wall time, kept in the state file; it grows by itself when the rate is above 1. */
  get offsetMs(): number {
    const wall = Date.now();
    return this.#at(wall) - wall;
  }
}
