import { randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newDataKey } from "../../src/envelope/kdf.js";
import { RandomPool } from "../../src/envelope/random.js";

/** A pool whose CSPRNG calls are counted and whose buffer the test can see. */
function observed(size: number, secret: boolean) {
  const seen = { calls: 0, buffer: undefined as Buffer | undefined };
  const pool = new RandomPool(size, secret, (buffer) => {
    seen.calls++;
    seen.buffer = buffer;
    randomFillSync(buffer);
  });
  return { pool, seen };
}

describe("RandomPool", () => {
  it("draws nothing at construction and refills only when a request does not fit", () => {
    const { pool, seen } = observed(64, false);
    expect(seen.calls).toBe(0);
    const out = new Uint8Array(96);
    pool.fill(out, 0, 32);
    pool.fill(out, 32, 32);
    expect(seen.calls).toBe(1);
    pool.fill(out, 64, 32);
    expect(seen.calls).toBe(2);
  });

  it("hands out each pooled byte once: consecutive draws differ", () => {
    const { pool } = observed(32 * 8, false);
    const draws = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const out = new Uint8Array(32);
      pool.fill(out, 0, 32);
      draws.add(Buffer.from(out).toString("hex"));
    }
    expect(draws.size).toBe(64);
  });

  it("writes at the offset and nowhere else", () => {
    const { pool } = observed(64, false);
    const out = new Uint8Array(48);
    pool.fill(out, 8, 32);
    expect([...out.subarray(0, 8), ...out.subarray(40)].every((b) => b === 0)).toBe(true);
    expect(out.subarray(8, 40).some((b) => b !== 0)).toBe(true);
  });

  it("a secret pool zeroes what it hands out and keeps what it has not", () => {
    const { pool, seen } = observed(96, true);
    const out = new Uint8Array(32);
    pool.fill(out, 0, 32);
    const buffer = seen.buffer!;
    expect(buffer.subarray(0, 32).every((b) => b === 0)).toBe(true);
    expect(buffer.subarray(32).some((b) => b !== 0)).toBe(true);
    expect(out.some((b) => b !== 0)).toBe(true);
  });

  it("a public pool leaves its buffer alone", () => {
    const { pool, seen } = observed(64, false);
    const out = new Uint8Array(32);
    pool.fill(out, 0, 32);
    expect(Buffer.compare(seen.buffer!.subarray(0, 32), out)).toBe(0);
  });
});

describe("newDataKey", () => {
  it("returns distinct 32-byte keys in buffers of their own", () => {
    const keys = Array.from({ length: 100 }, () => newDataKey());
    expect(new Set(keys.map((k) => k.toString("hex"))).size).toBe(100);
    for (const key of keys) {
      expect(key.length).toBe(32);
      // Not a view into a shared pool: zeroing it cannot touch another key.
      expect(key.byteOffset).toBe(0);
      expect(key.buffer.byteLength).toBe(32);
    }
  });
});
