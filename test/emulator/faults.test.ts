import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { FaultInjector } from "../../src/emulator/kernel/faults.js";
import { RequestLog } from "../../src/emulator/kernel/request-log.js";
import { createTestVault } from "./helpers/vaults.js";
import { rawRequest, tokenFor } from "../conformance/helpers/raw.js";
import { request } from "node:https";
import { exchangeClient } from "./helpers/exchange-client.js";

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

/** POST …/keys/{name}/create (RSA 2048); the status, or 0 when the connection closed without an answer. */
function createKey(name: string, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ kty: "RSA", key_size: 2048 });
    const req = request(`${emulator.endpoints.vaultUrl("kv-faults")}/keys/${name}/create?api-version=7.6`, {
      method: "POST",
      agent: emulator.clientOptions().agent,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(body.length) },
      ...(signal ? { signal } : {}),
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}
const versionsOf = (name: string) =>
  rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("kv-faults")}/keys/${name}/versions?api-version=7.6`, token }).then((r) => (r.body?.value ?? []).length as number);
const isHang = (e: { fault?: string }) => e.fault === "hang";

describe("fault rules by operation, skip and stage", () => {
  it("matches the operation the log names, lets `skip` requests pass, then strikes", async () => {
    emulator.faults.inject({ operation: "createkey", skip: 1, count: 1, status: 500 });
    expect([await listKeys(), await createKey("skip-a"), await listKeys(), await createKey("skip-b"), await createKey("skip-c")]).toEqual([200, 200, 200, 500, 200]);
    expect(await versionsOf("skip-b")).toBe(0);
    expect(() => emulator.faults.inject({ skip: -1 })).toThrow(RangeError);
  });

  it("matches an Exchange cmdlet by name (InvokeCommand carries it in its body)", async () => {
    const exo = await exchangeClient(emulator);
    emulator.faults.inject({ service: "exchange", operation: "Get-MailUser", status: 503, count: 1 });
    expect([(await exo.invoke("Get-Mailbox", { ResultSize: 1 })).status, (await exo.invoke("Get-MailUser", { ResultSize: 1 })).status]).toEqual([200, 503]);
    expect(emulator.requests.list({ service: "exchange" }).at(-1)).toMatchObject({ operation: "Get-MailUser", status: 503 });
  });

  it("strikes after the service acted with stage response: the key exists, the client got a 503", async () => {
    emulator.faults.inject({ operation: "CreateKey", stage: "response", status: 503, count: 1 });
    const since = emulator.requests.size;
    expect(await createKey("after-a")).toBe(503);
    expect(await versionsOf("after-a")).toBe(1);
    const entry = emulator.requests.list({ operation: "CreateKey" }).at(-1)!;
    expect(entry).toMatchObject({ status: 503, serviceStatus: 200, fault: expect.stringMatching(/^fault#\d+$/) });
    // It changed state: mutating() counts it by the service's status.
    expect(emulator.requests.mutating(since).map((e) => e.seq)).toEqual([entry.seq]);
  });

  it("hangs a request before the service: logged at once, never served, closed when the client aborts", async () => {
    emulator.faults.inject({ operation: "CreateKey", mode: "hang", count: 1 });
    const held = emulator.requests.waitFor(isHang);
    const abort = new AbortController();
    const answer = createKey("hang-a", abort.signal);
    expect(await held).toMatchObject({ operation: "CreateKey", status: 0, fault: "hang" });
    expect(emulator.requests.inFlight).toBe(1);
    abort.abort();
    expect(await answer).toBe(0);
    await expect.poll(() => emulator.requests.inFlight).toBe(0);
    expect(await versionsOf("hang-a")).toBe(0);
  });

  it("hangs the answer after the service acted; removing the rule closes the connection", async () => {
    const remove = emulator.faults.inject({ operation: "CreateKey", stage: "response", mode: "hang" });
    const held = emulator.requests.waitFor(isHang);
    const answer = createKey("hang-b");
    expect(await held).toMatchObject({ operation: "CreateKey", status: 0, serviceStatus: 200, fault: "hang" });
    expect(await versionsOf("hang-b")).toBe(1);
    remove();
    expect(await answer).toBe(0);
    expect(await createKey("hang-c")).toBe(200);
  });

  it("clear() ends every hung request", async () => {
    emulator.faults.inject({ operation: "CreateKey", mode: "hang" });
    const held = emulator.requests.waitFor(isHang);
    const answer = createKey("hang-d");
    await held;
    emulator.faults.clear();
    expect(await answer).toBe(0);
  });
});

describe("request log", () => {
  it("waitFor resolves with the first later entry the predicate accepts, and rejects on abort", async () => {
    const log = new RequestLog();
    const entry = (path: string) => ({ time: "", service: "arm", method: "PUT", host: "h", path, caller: "c", status: 200, durationMs: 0 });
    log.record(entry("/before"));
    const second = log.waitFor((e) => e.path.startsWith("/p"));
    log.record(entry("/x"));
    log.record(entry("/p1"));
    log.record(entry("/p2"));
    expect(await second).toMatchObject({ seq: 2, path: "/p1" });
    const abort = new AbortController();
    const never = log.waitFor(() => false, { abortSignal: abort.signal });
    abort.abort(new Error("stop waiting"));
    await expect(never).rejects.toThrow("stop waiting");
    await expect(log.waitFor(() => true, { abortSignal: abort.signal })).rejects.toThrow("stop waiting");
    const failing = log.waitFor(() => {
      throw new Error("bad predicate");
    });
    log.record(entry("/y"));
    await expect(failing).rejects.toThrow("bad predicate");
  });

  it("keeps only the newest entries up to its limit, numbering them without gaps", () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) log.record({ time: "", service: "arm", method: "PUT", host: "h", path: `/p${i}`, caller: "c", status: 200, durationMs: 0 });
    expect(log.list().map((e) => [e.seq, e.path])).toEqual([[2, "/p2"], [3, "/p3"], [4, "/p4"]]);
    expect(log.size).toBe(5);
    expect(log.mutating(3).map((e) => e.path)).toEqual(["/p3", "/p4"]);
  });
});
