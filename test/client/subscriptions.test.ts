/** Do-Not-Cancel: register, serialise, resume in a new client, wait for approval, register Key Vault. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { InvalidInputError, OperationAbortedError, ServiceRequestError, type DoNotCancelOperationState } from "../../src/index.js";
import { clientFor } from "./client-fixtures.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const newSubscription = () => emulator.createSubscription({ displayName: "DNC test", owner: emulator.admin.userPrincipalName }).subscriptionId;
const ops = (since: number) => emulator.requests.mutating(since).map((r) => r.operation);

describe("subscriptions", () => {
  it("get() reads the subscription through the ARM client's pipeline", async () => {
    const [a] = emulator.subscriptionIds;
    expect(await clientFor(emulator).subscriptions.get(a!)).toEqual({
      subscriptionId: a,
      displayName: "Customer Key Primary",
      state: "Enabled",
      tenantId: emulator.tenantId,
    });
  });

  it("get() of an unknown subscription is a ServiceRequestError; a malformed id is refused before any request", async () => {
    const error = await clientFor(emulator).subscriptions.get("00000000-0000-4000-8000-000000000001").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect([403, 404]).toContain((error as ServiceRequestError).statusCode);
    const before = emulator.requests.size;
    expect(() => clientFor(emulator).subscriptions.beginRegisterDoNotCancel("sub-1")).toThrow(InvalidInputError);
    await expect(clientFor(emulator).subscriptions.getDoNotCancelState("sub-1")).rejects.toMatchObject({ code: "ERR_SUBSCRIPTION_ID_INVALID" });
    expect(emulator.requests.size).toBe(before);
  });

  it("registers, survives serialisation into a new client, waits while Pending, then registers Microsoft.KeyVault", async () => {
    const sub = newSubscription();
    expect(await clientFor(emulator).subscriptions.getDoNotCancelState(sub)).toMatchObject({ featureState: "NotRegistered", providerState: "NotRegistered", protected: false });

    const since = emulator.requests.size;
    const first = clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub);
    const seen: string[] = [];
    first.onProgress((s) => seen.push(s.featureState));
    await first.poll();
    expect(first.operationState).toMatchObject({ status: "running", phase: "awaitingFeature", featureState: "Pending" });
    expect(ops(since)).toEqual(["Features_Register"]);
    const saved = await first.serialize();
    const parsed = JSON.parse(saved) as { state: DoNotCancelOperationState };
    expect(parsed.state).toMatchObject({ subscriptionId: sub, phase: "awaitingFeature", featureState: "Pending" });
    expect(Date.parse(parsed.state.startedAt)).not.toBeNaN();
    expect(Date.parse(parsed.state.featureRegistrationRequestedAt!)).not.toBeNaN();

    // A new process: a new client resumes from the saved state.
    const resumedPhases: string[] = [];
    const resumed = clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub, { resumeFrom: saved, onProgress: (s) => resumedPhases.push(s.phase) });
    const since2 = emulator.requests.size;
    for (const days of [1, 2, 3]) {
      emulator.clock.advance({ days });
      await resumed.poll();
      expect(resumed.isDone).toBe(false);
      expect(resumed.operationState.featureState.toLowerCase()).toBe("pending");
    }
    expect(ops(since2)).toEqual([]); // waiting sends no register again

    emulator.approveDoNotCancel(sub);
    const result = await resumed;
    expect(result).toEqual({ subscriptionId: sub, featureState: "Registered", providerState: "Registered", protected: true });
    expect(ops(since2)).toEqual(["Providers_Register"]);
    expect(resumed.operationState).toMatchObject({ status: "succeeded", phase: "done" });
    expect(resumed.operationState.completedAt).toBeDefined();
    expect(seen).toContain("Pending");
    expect(resumedPhases.at(0)).toBe("awaitingFeature");
    expect(resumedPhases.at(-1)).toBe("done");
    expect(await clientFor(emulator).subscriptions.getDoNotCancelState(sub)).toMatchObject({ featureState: "Registered", providerState: "Registered", protected: true });
  });

  it("is idempotent: an already registered subscription completes without registering again", async () => {
    const sub = newSubscription();
    await clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub).poll();
    emulator.approveDoNotCancel(sub);
    await clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub);
    const since = emulator.requests.size;
    const again = await clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub);
    expect(again.protected).toBe(true);
    expect(ops(since)).toEqual([]);
  });

  it("refuses a resume state of another subscription or another operation", async () => {
    const sub = newSubscription();
    const poller = clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub);
    const saved = await poller.serialize();
    const [a] = emulator.subscriptionIds;
    expect(() => clientFor(emulator).subscriptions.beginRegisterDoNotCancel(a!, { resumeFrom: saved })).toThrow(/belongs to subscription/);
    expect(() => clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub, { resumeFrom: "{}" })).toThrow(InvalidInputError);
    expect(() => clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub, { resumeFrom: "not json" })).toThrow(/serialized poller state/);
  });

  it("an abort stops the waiting; polling is safe to resume", async () => {
    const sub = newSubscription();
    const controller = new AbortController();
    const poller = clientFor(emulator).subscriptions.beginRegisterDoNotCancel(sub, { abortSignal: controller.signal, updateIntervalInMs: 20 });
    // The first step registers the feature (Pending); the abort then lands while waiting, however loaded the machine is.
    await poller.poll();
    setTimeout(() => controller.abort(), 80);
    await expect(poller.pollUntilDone()).rejects.toBeInstanceOf(OperationAbortedError);
    expect(poller.operationState.featureState).toBe("Pending");
  });
});
