import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../../src/internal/concurrency.js";
import { OperationAbortedError } from "../../src/errors.js";

describe("mapWithConcurrency", () => {
  it("keeps order and the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 2;
    });
    expect(result).toEqual([10, 2, 8, 4, 6]);
    expect(peak).toBe(2);
  });

  it("stops starting work once aborted", async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const run = mapWithConcurrency([1, 2, 3, 4, 5, 6], 1, async (n) => {
      started.push(n);
      if (n === 2) controller.abort();
      return n;
    }, { abortSignal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(OperationAbortedError);
    expect(started).toEqual([1, 2]);
  });
});
