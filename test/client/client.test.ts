/** The facade: construction, shared options, the caller's rights. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, InvalidInputError, isCustomerKeyError, type CustomerKeyLogger } from "../../src/index.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

describe("CustomerKeyClient", () => {
  it("refuses a missing credential or a malformed tenant id, sending nothing", () => {
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    const before = emulator.requests.size;
    expect(() => new CustomerKeyClient(credential, { tenantId: "contoso.com" })).toThrow(InvalidInputError);
    expect(() => new CustomerKeyClient({} as never, { tenantId: emulator.tenantId })).toThrow(/TokenCredential/);
    try {
      new CustomerKeyClient(credential, { tenantId: "" });
    } catch (error) {
      expect(isCustomerKeyError(error)).toBe(true);
      expect(error).toMatchObject({ code: "ERR_TENANT_ID_INVALID", field: "tenantId" });
    }
    expect(emulator.requests.size).toBe(before);
  });

  it("exposes its modules and the tenant", () => {
    const client = clientFor(emulator);
    expect(client.tenantId).toBe(emulator.tenantId);
    expect(typeof client.vaultPairs.plan).toBe("function");
    expect(typeof client.subscriptions.beginRegisterDoNotCancel).toBe("function");
    expect(typeof client.directory.findUser).toBe("function");
  });

  it("sends every service's requests through the caller's pipeline options (emulator agent) and credential", async () => {
    const client = clientFor(emulator);
    const from = emulator.requests.size;
    await client.directory.findServicePrincipalByAppId("00000002-0000-0ff1-ce00-000000000000");
    await client.subscriptions.get(emulator.subscriptionIds[0]!);
    const callers = new Set(emulator.requests.list().filter((r) => r.seq >= from && r.service !== "identity").map((r) => r.caller));
    expect(callers).toEqual(new Set([emulator.admin.objectId]));
  });

  it("a caller without rights on the subscriptions gets plan problems, not a crash", async () => {
    const upn = "nobody@contoso.onmicrosoft.com";
    emulator.directory.createUser({ userPrincipalName: upn });
    const client = clientFor(emulator, upn);
    const plan = await client.vaultPairs.plan(pairSpec(emulator));
    expect(plan.problems.map((p) => p.code)).toEqual(["SUBSCRIPTION_NOT_ACCESSIBLE", "SUBSCRIPTION_NOT_ACCESSIBLE"]);
    expect(plan.changes).toEqual([]);
  });

  it("writes progress to the logger it is given, without secrets", async () => {
    const lines: string[] = [];
    const logger: CustomerKeyLogger = { info: (m) => lines.push(m), warning: (m) => lines.push(m), verbose: (m) => lines.push(m), error: (m) => lines.push(m) };
    const client = clientFor(emulator, emulator.admin.userPrincipalName, { logger });
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(pairSpec(emulator)));
    expect(lines.some((l) => /primary\/vault applied/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/eyJ|Bearer|password/i);
  });

  it("wires the modules: a pair applied by vaultPairs validates with client.validate and writes nothing", async () => {
    const client = clientFor(emulator);
    const spec = pairSpec(emulator);
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
    const since = emulator.requests.size;
    const report = await client.validate(spec);
    expect(report.checks.length).toBeGreaterThan(0);
    expect(report.checks.some((c) => c.status === "pass")).toBe(true);
    expect(emulator.requests.mutating(since)).toEqual([]);
    expect(typeof client.keys).toBe("object");
    expect(typeof client.backups).toBe("object");
  });
});
