import { describe, expect, it } from "vitest";
import { createPoller, OperationFailedError, type PollerState } from "../../src/internal/poller.js";
import { InvalidInputError, OperationAbortedError } from "../../src/errors.js";

interface CountState extends PollerState<number> {
  count: number;
}

const counter = (initial: CountState | string, until = 3, intervalInMs = 1, abortSignal?: AbortSignal) =>
  createPoller<CountState, number>({
    kind: "test.counter",
    initialState: initial,
    intervalInMs,
    ...(abortSignal ? { abortSignal } : {}),
    step: async (s) => {
      const count = s.count + 1;
      return count >= until ? { status: "succeeded", count, result: count * 10 } : { status: "running", count };
    },
  });

describe("createPoller", () => {
  it("is awaitable, reports progress and serialises", async () => {
    const poller = counter({ status: "notStarted", count: 0 });
    const seen: number[] = [];
    poller.onProgress((s) => seen.push(s.count));
    await poller.poll();
    expect(poller.isDone).toBe(false);
    expect(await poller).toBe(30);
    expect(seen).toEqual([1, 2, 3]);
    expect(poller.result).toBe(30);
    expect(JSON.parse(await poller.serialize())).toEqual({ kind: "test.counter", state: { status: "succeeded", count: 3, result: 30 } });
  });

  it("resumes from serialised state and refuses another kind's state", async () => {
    const first = counter({ status: "notStarted", count: 0 }, 5);
    await first.poll();
    await first.poll();
    const resumed = counter(await first.serialize(), 5);
    expect(resumed.operationState.count).toBe(2);
    expect(await resumed.pollUntilDone()).toBe(50);
    expect(() => counter(JSON.stringify({ kind: "other", state: {} }))).toThrow(InvalidInputError);
  });

  it("stops on abort between polls", async () => {
    const controller = new AbortController();
    const poller = counter({ status: "notStarted", count: 0 }, 1000, 5, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(poller.pollUntilDone()).rejects.toBeInstanceOf(OperationAbortedError);
    expect(poller.operationState.count).toBeGreaterThan(0);
  });

  it("does not keep a rejection: awaiting again after a failed poll resumes", async () => {
    let calls = 0;
    const poller = createPoller<CountState, number>({
      kind: "test.flaky",
      initialState: { status: "notStarted", count: 0 },
      intervalInMs: 1,
      step: async (s) => {
        if (++calls === 1) throw new Error("network down");
        return s.count + 1 >= 2 ? { status: "succeeded", count: s.count + 1, result: 7 } : { status: "running", count: s.count + 1 };
      },
    });
    await expect(poller).rejects.toThrow("network down");
    expect(await poller).toBe(7);
  });

  it("turns a failed state into OperationFailedError with its code", async () => {
    const poller = createPoller<CountState, number>({
      kind: "test.fail",
      initialState: { status: "notStarted", count: 0 },
      intervalInMs: 1,
      step: async () => ({ status: "failed", count: 1, error: { code: "ERR_X", message: "no" } }),
    });
    await expect(poller).rejects.toMatchObject({ code: "ERR_X" });
    await expect(poller.pollUntilDone()).rejects.toBeInstanceOf(OperationFailedError);
  });
});
