/** Transient faults are retried (honouring Retry-After); others surface at once. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CredentialUnavailableError } from "@azure/identity";
import { CustomerKeyClient, ServiceRequestError } from "../../src/index.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator?.stop());

const since = () => emulator.requests.size;
const seen = (from: number, operation: string) => emulator.requests.list({ operation }).filter((r) => r.seq >= from);

describe("retry", () => {
  it("tells the client's own logger about each retry, without secrets", async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const client = clientFor(emulator, undefined, { logger: { info: log, warning: log, verbose: log, error: log } });
    const [a] = emulator.subscriptionIds;
    emulator.faults.inject({ service: "arm", status: 503, count: 1 });
    await client.subscriptions.get(a!);
    expect(lines.some((l) => /subscriptions\.get.*status 503.*retrying in/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/eyJ|Bearer|password/i);
  });

  it("a credential that finds no sign-in is ERR_SERVICE_UNAUTHENTICATED at once, not an unreachable service", async () => {
    let calls = 0;
    const noSignIn = {
      getToken: async () => {
        calls++;
        throw new CredentialUnavailableError("ChainedTokenCredential authentication failed. EnvironmentCredential is unavailable. Please run 'az login'.");
      },
    };
    const client = new CustomerKeyClient(noSignIn, { tenantId: emulator.tenantId, endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph }, ...emulator.clientOptions(), retry: { retryDelayInMs: 10 } });
    const from = since();
    const error = await client.subscriptions.get(emulator.subscriptionIds[0]!).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SERVICE_UNAUTHENTICATED", message: expect.stringContaining("got no token from the credential") });
    expect(calls).toBe(1);
    expect(emulator.requests.list().filter((r) => r.seq >= from && r.service !== "identity")).toEqual([]);
  });

  it("a Resource Manager host that does not resolve fails within a second and names the endpoints option", async () => {
    // `.invalid` never resolves (RFC 2606): what a missing or mistyped `endpoints` option looks like.
    const client = clientFor(emulator, undefined, { endpoints: { resourceManager: "https://management.invalid", graph: emulator.endpoints.graph }, retry: {} });
    const started = performance.now();
    const error = await client.subscriptions.get(emulator.subscriptionIds[0]!).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error).toMatchObject({ code: "ERR_SERVICE_UNREACHABLE" });
    expect((error as Error).message).toMatch(/'management\.invalid' does not resolve.*`endpoints` option/);
  });

  it("retries a 429 after the Retry-After the service asked for", async () => {
    const client = clientFor(emulator);
    const [a] = emulator.subscriptionIds;
    await client.subscriptions.get(a!); // token and connection warm
    const from = since();
    emulator.faults.inject({ service: "arm", status: 429, retryAfterSeconds: 1, count: 1 });
    const started = performance.now();
    await expect(client.subscriptions.get(a!)).resolves.toMatchObject({ subscriptionId: a });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4000);
    expect(seen(from, "Subscriptions_Get").map((r) => r.status)).toEqual([429, 200]);
  });

  it("retries 503 with short back-off", async () => {
    const client = clientFor(emulator);
    const [, b] = emulator.subscriptionIds;
    const from = since();
    emulator.faults.inject({ service: "arm", status: 503, count: 2 });
    await expect(client.subscriptions.getDoNotCancelState(b!)).resolves.toMatchObject({ subscriptionId: b });
    expect(seen(from, "Features_Get").map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("does not retry a 403: exactly one request, a typed error", async () => {
    const client = clientFor(emulator);
    const [a] = emulator.subscriptionIds;
    await client.subscriptions.get(a!);
    const from = since();
    emulator.faults.inject({ service: "arm", status: 403, count: 1 });
    const error = await client.subscriptions.get(a!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error).toMatchObject({ code: "ERR_SERVICE_FORBIDDEN", statusCode: 403, operation: "subscriptions.get" });
    expect(emulator.requests.list().filter((r) => r.seq >= from)).toHaveLength(1);
  });

  it("retries Graph throttling through the pipeline transport", async () => {
    const client = clientFor(emulator);
    await client.directory.findUser(emulator.admin.userPrincipalName);
    const from = since();
    emulator.faults.inject({ service: "graph", status: 429, retryAfterSeconds: 1, count: 1 });
    const started = performance.now();
    await expect(client.directory.findUser(emulator.admin.userPrincipalName)).resolves.toMatchObject({ objectId: emulator.admin.objectId, kind: "user" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.requests.list({ service: "graph" }).filter((r) => r.seq >= from).map((r) => r.status)).toEqual([429, 200]);
  });

  it("retries a connection reset on Graph and on ARM", async () => {
    const client = clientFor(emulator);
    // The emulator resets only rules that also name a status (the status is never sent).
    const from = since();
    emulator.faults.inject({ service: "graph", status: 503, mode: "reset", count: 1 });
    await expect(client.directory.findUser(emulator.admin.userPrincipalName)).resolves.toMatchObject({ kind: "user" });
    emulator.faults.inject({ service: "arm", status: 503, mode: "reset", count: 1 });
    await expect(client.subscriptions.get(emulator.subscriptionIds[0]!)).resolves.toMatchObject({ state: "Enabled" });
    const answered = emulator.requests.list().filter((r) => r.seq >= from && r.service !== "identity");
    expect(answered.map((r) => `${r.service}:${r.fault ?? r.status}`)).toEqual(["graph:reset", "graph:200", "arm:reset", "arm:200"]);
  });

  it("an apply survives throttled vault and access-policy writes, without duplicating them", async () => {
    const client = clientFor(emulator);
    const plan = await client.vaultPairs.plan(pairSpec(emulator));
    emulator.faults.inject({ service: "arm", method: "PUT", path: "/vaults/", status: 429, retryAfterSeconds: 1, count: 1 });
    emulator.faults.inject({ service: "arm", method: "PUT", path: "/accessPolicies/", status: 503, count: 1 });
    const from = since();
    await client.vaultPairs.beginApply(plan);
    const puts = emulator.requests.mutating(from).map((r) => r.operation);
    expect(puts.filter((o) => o === "Vaults_CreateOrUpdate")).toHaveLength(2);
    expect(puts.filter((o) => o === "Vaults_UpdateAccessPolicy")).toHaveLength(4);
  });
});
