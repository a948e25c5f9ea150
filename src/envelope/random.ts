/**
 * Random bytes from pre-filled pools. On the machines we measured, one randomFillSync call costs
 * about 7 µs whatever its size up to 8 KiB: one call per data key was the largest single cost of
 * a fresh-key seal, and one per message id a visible share of a small cached one.
 */
import { randomFillSync } from "node:crypto";
import { startupSnapshot } from "node:v8";

export class RandomPool {
  readonly #pool: Buffer;
  #at: number;

  /**
   * @param size bytes drawn from the CSPRNG per refill.
   * @param secret zero every byte as it is handed out (data keys must not linger in a buffer
   *   that outlives them). Unused bytes are future keys, no more exposed than the CSPRNG's own state.
   */
  constructor(
    size: number,
    private readonly secret: boolean,
    /** The CSPRNG; replaceable in tests only. */
    private readonly source: (buffer: Buffer) => void = randomFillSync,
  ) {
    // Outside Node's shared Buffer pool: nothing else ever shares this memory.
    this.#pool = Buffer.allocUnsafeSlow(size);
    this.#at = size; // filled on first use, not at import
    // A startup snapshot must not carry drawn bytes into every process started from it.
    if (startupSnapshot?.isBuildingSnapshot()) startupSnapshot.addSerializeCallback(() => this.#empty());
  }

  /** Writes `length` fresh random bytes into `out` at `offset`. */
  fill(out: Uint8Array, offset: number, length: number): void {
    if (this.#at + length > this.#pool.length) {
      this.source(this.#pool);
      this.#at = 0;
    }
    const from = this.#at;
    this.#at += length;
    this.#pool.copy(out, offset, from, this.#at);
    if (this.secret) this.#pool.fill(0, from, this.#at);
  }

  #empty(): void {
    this.#pool.fill(0);
    this.#at = this.#pool.length;
  }
}
