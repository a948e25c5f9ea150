/**
 * The start options an emulator run as a process of its own needs, where no test moves the clock or
 * approves Do-Not-Cancel: `clockRate` and `arm.doNotCancelApprovalDelayMs`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type StartEmulatorOptions } from "../../src/emulator/index.js";
import { EmulatorClock } from "../../src/emulator/kernel/clock.js";
import { CustomerKeyClient } from "../../src/index.js";

const started: Emulator[] = [];
afterEach(async () => {
  for (const e of started.splice(0)) await e.stop();
});
async function start(options: StartEmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  return emulator;
}

describe("clockRate", () => {
  it("runs the clock `rate` times faster than wall time, and advance() still adds to it", async () => {
    const clock = new EmulatorClock(0, () => {}, 3600);
    expect(clock.rate).toBe(3600);
    const [wall0, emulated0] = [Date.now(), clock.nowMs()];
    await sleep(120);
    const [emulated1, wall1] = [clock.nowMs(), Date.now()];
    // Each wall millisecond is an emulated hour's 1/1000: 120 ms ≈ 7.2 emulated minutes.
    expect(emulated1 - emulated0).toBeGreaterThanOrEqual((wall1 - wall0 - 2) * 3600);
    expect(emulated1 - emulated0).toBeLessThanOrEqual((wall1 - wall0 + 2) * 3600);
    const before = clock.nowMs();
    clock.advance({ days: 1 });
    expect(clock.nowMs() - before).toBeGreaterThanOrEqual(86_400_000);
    expect(clock.offsetMs).toBeGreaterThan(86_400_000);
  });

  it("rate 1 (the default) is wall time plus the offset", () => {
    const clock = new EmulatorClock(5000);
    expect(clock.rate).toBe(1);
    expect(clock.offsetMs).toBe(5000);
    expect(Math.abs(clock.nowMs() - (Date.now() + 5000))).toBeLessThanOrEqual(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects rate %s before starting anything", async (clockRate) => {
    await expect(startEmulator({ clockRate })).rejects.toThrow(RangeError);
  });

  it("keeps the time it reached in the state file: a restart goes on from there, not back", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "ck-rate-")), "state.json");
    const fast = await startEmulator({ stateFile, clockRate: 36_000 });
    expect(fast.clock.rate).toBe(36_000);
    await sleep(200); // ≈ 2 emulated hours, with no request and no other change to write
    const reached = fast.clock.nowMs();
    expect(reached - Date.now()).toBeGreaterThan(3_600_000);
    await fast.stop();
    const again = await start({ stateFile });
    expect(again.clock.rate).toBe(1);
    expect(again.clock.nowMs()).toBeGreaterThanOrEqual(reached);
  });
});

describe("arm.doNotCancelApprovalDelayMs", () => {
  const clientOf = (emulator: Emulator) => new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });

  it("0: Microsoft approves a Do-Not-Cancel registration at the next request, and the poller completes", async () => {
    const emulator = await start({ arm: { doNotCancelApprovalDelayMs: 0 } });
    const client = clientOf(emulator);
    const [subscriptionId] = emulator.subscriptionIds as [string];
    const done = await client.subscriptions.beginRegisterDoNotCancel(subscriptionId).pollUntilDone();
    expect(done).toMatchObject({ featureState: "Registered", providerState: "Registered" });
    // The other subscription was not asked: nothing is approved unasked.
    expect((await client.subscriptions.getDoNotCancelState(emulator.subscriptionIds[1]!)).featureState).toBe("NotRegistered");
  });

  it("a delay: Pending until that much emulator time passed", async () => {
    const emulator = await start({ arm: { doNotCancelApprovalDelayMs: 5 * 86_400_000 } });
    const client = clientOf(emulator);
    const [subscriptionId] = emulator.subscriptionIds as [string];
    await client.subscriptions.beginRegisterDoNotCancel(subscriptionId).poll();
    emulator.clock.advance({ days: 4 });
    expect((await client.subscriptions.getDoNotCancelState(subscriptionId)).featureState).toBe("Pending");
    emulator.clock.advance({ days: 1 });
    expect((await client.subscriptions.getDoNotCancelState(subscriptionId)).featureState).toBe("Registered");
  });

  it("by default the registration stays Pending until approveDoNotCancel, however long", async () => {
    const emulator = await start({});
    const client = clientOf(emulator);
    const [subscriptionId] = emulator.subscriptionIds as [string];
    await client.subscriptions.beginRegisterDoNotCancel(subscriptionId).poll();
    emulator.clock.advance({ days: 365 });
    expect((await client.subscriptions.getDoNotCancelState(subscriptionId)).featureState).toBe("Pending");
    emulator.approveDoNotCancel(subscriptionId);
    expect((await client.subscriptions.getDoNotCancelState(subscriptionId)).featureState).toBe("Registered");
  });

  it.each([-1, Number.NaN])("rejects a delay of %s before starting anything", async (doNotCancelApprovalDelayMs) => {
    await expect(startEmulator({ arm: { doNotCancelApprovalDelayMs } })).rejects.toThrow(RangeError);
  });
});
