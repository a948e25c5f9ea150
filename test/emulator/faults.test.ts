import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { FaultInjector } from "../../src/emulator/kernel/faults.js";
import { RequestLog } from "../../src/emulator/kernel/request-log.js";
import { createTestVault } from "./helpers/vaults.js";
import { rawRequest, tokenFor } from "../conformance/helpers/raw.js";

let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  createTestVault(emulator, { name: "kv-faults" });
  token = await tokenFor(emulator, emulator.admin.userPrincipalName, "https://vault.localhost/.default");
});
afterAll(() => emulator?.stop());

const listKeys = (vault = "kv-faults") =>
  rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl(vault)}/keys?api-version=7.6`, token }).then((r) => r.status, () => 0);

describe("fault rules", () => {
  it("affects exactly `count` matching requests, then expires", async () => {
    emulator.faults.inject({ vault: "kv-faults", status: 503, count: 2 });
    expect([await listKeys(), await listKeys(), await listKeys()]).toEqual([503, 503, 200]);
    expect(emulator.faults.active).toHaveLength(0);
  });

  it("affects a request with the rule's probability", async () => {
    const never = emulator.faults.inject({ vault: "kv-faults", status: 503, probability: 0 });
    expect([await listKeys(), await listKeys()]).toEqual([200, 200]);
    never();
    const always = emulator.faults.inject({ vault: "kv-faults", status: 429, retryAfterSeconds: 3, probability: 1 });
    const throttled = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("kv-faults")}/keys?api-version=7.6`, token });
    expect([throttled.status, throttled.headers["retry-after"]]).toEqual([429, "3"]);
    always();
    // Draws below the probability hit, draws at or above it pass; a pass does not use up `count`.
    const draws = [0.7, 0.2, 0.9, 0.4];
    const injector = new FaultInjector(() => draws.shift()!);
    injector.inject({ status: 500, probability: 0.5, count: 2 });
    const hits = [1, 2, 3, 4].map(() => injector.decide({ service: "keyvault", method: "GET", path: "/keys" }).respond?.status);
    expect(hits).toEqual([undefined, 500, undefined, 500]);
    expect(injector.active).toHaveLength(0);
  });

  it("takes one vault down (503 or connection reset) and leaves the others up", async () => {
    createTestVault(emulator, { name: "kv-faults-other" });
    const down = emulator.faults.vaultDown("kv-faults");
    expect([await listKeys(), await listKeys("kv-faults-other")]).toEqual([503, 200]);
    down();
    const reset = emulator.faults.vaultDown("kv-faults", { mode: "reset" });
    expect(await listKeys()).toBe(0);
    expect(emulator.requests.list({ service: "keyvault" }).at(-1)).toMatchObject({ status: 0, fault: "reset" });
    reset();
    expect(await listKeys()).toBe(200);
    emulator.faults.vaultDown("kv-faults");
    emulator.faults.clear();
    expect(await listKeys()).toBe(200);
  });
});

describe("fault rules and the Key Vault challenge", () => {
  const challenge = () =>
    rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("kv-faults")}/keys?api-version=7.6` }).then((r) => r.status, () => 0);

  it("resets the connection with mode reset alone, no status needed", async () => {
    emulator.faults.inject({ vault: "kv-faults", mode: "reset", count: 1 });
    expect([await listKeys(), await listKeys()]).toEqual([0, 200]);
  });

  it("answers an injected status with the matching service code", async () => {
    emulator.faults.inject({ vault: "kv-faults", status: 403, count: 1 });
    const refused = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("kv-faults")}/keys?api-version=7.6`, token });
    expect([refused.status, (refused.body as { error: { code: string } }).error.code]).toEqual([403, "Forbidden"]);
  });

  it("does not spend a counted rule on the tokenless challenge; a vault that is down fails it too", async () => {
    emulator.faults.inject({ vault: "kv-faults", status: 429, count: 1 });
    expect(await challenge()).toBe(401);
    expect([await listKeys(), await listKeys()]).toEqual([429, 200]);
    const down = emulator.faults.vaultDown("kv-faults");
    expect(await challenge()).toBe(503);
    down();
  });
});

describe("request log", () => {
  it("keeps only the newest entries up to its limit, numbering them without gaps", () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) log.record({ time: "", service: "arm", method: "PUT", host: "h", path: `/p${i}`, caller: "c", status: 200, durationMs: 0 });
    expect(log.list().map((e) => [e.seq, e.path])).toEqual([[2, "/p2"], [3, "/p3"], [4, "/p4"]]);
    expect(log.size).toBe(5);
    expect(log.mutating(3).map((e) => e.path)).toEqual(["/p3", "/p4"]);
  });
});
