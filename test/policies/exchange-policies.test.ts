/** client.policies against the emulated Exchange Online, through the real ExchangeRestTransport. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawVaultManagement, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { WORKLOAD_APP_IDS } from "../../src/rules/workloads.js";
import { ExchangeRestTransport } from "../../src/index.js";

let s: Scenario;
let dir: string;
const setMailboxOk = () => s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Set-Mailbox" && r.status === 200).length;

beforeAll(async () => {
  s = await startScenario();
  dir = await mkdtemp(path.join(tmpdir(), "ck-policies-"));
}, 120_000);
afterAll(async () => {
  await s?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("policies.exchange", () => {
  it("refuses bad names and key URIs before any request", async () => {
    const before = s.emulator.requests.size;
    await expect(s.client.policies.exchange.create({ name: "USA mailboxes", keyUris: s.keyUris })).rejects.toMatchObject({ code: "ERR_POLICY_NAME_INVALID" });
    await expect(s.client.policies.exchange.create({ name: "x", keyUris: [s.keyUris[0]!] })).rejects.toMatchObject({ code: "ERR_POLICY_KEY_URIS_INVALID" });
    await expect(s.client.policies.exchange.create({ name: "x", keyUris: [s.keyUris[0]!, s.keyUris[0]!] })).rejects.toMatchObject({ code: "ERR_POLICY_KEY_URIS_INVALID" });
    await expect(s.client.policies.exchange.create({ name: "x", keyUris: [s.keyUris[0]!, "https://nope/secrets/x"] })).rejects.toMatchObject({ code: "ERR_POLICY_KEY_URIS_INVALID" });
    expect(s.emulator.requests.size).toBe(before);
  });

  it("creates a DEP once; the same keys again is a no-op, other keys a conflict; a missing key is refused", async () => {
    const first = await s.client.policies.exchange.create({ name: "EU_mailboxes", description: "EU", keyUris: s.keyUris });
    expect(first.created).toBe(true);
    expect(first.policy).toMatchObject({ name: "EU_mailboxes", enabled: true, description: "EU" });
    expect(first.policy.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: s.keyUris });
    expect(again).toMatchObject({ created: false, policy: { id: first.policy.id } });
    const versionless = s.keyUris.map((u) => u.replace(/\/[0-9a-f]{32}$/, ""));
    await expect(s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: versionless })).rejects.toMatchObject({ code: "ERR_POLICY_CONFLICT" });
    await expect(s.client.policies.exchange.create({ name: "Other", keyUris: [versionless[0]!.replace("exo-root", "missing"), versionless[1]!] })).rejects.toMatchObject({ code: "ERR_POLICY_KEY_UNUSABLE" });
    const spaced = await s.client.policies.exchange.create({ name: "EU versionless", keyUris: versionless }, { allowSpacesInName: true });
    expect(spaced.created).toBe(true);
    const names: string[] = [];
    for await (const p of s.client.policies.exchange.list()) names.push(p.name);
    expect(names).toEqual(["EU_mailboxes", "EU versionless"]);
    expect((await s.client.policies.exchange.get(first.policy.id))?.name).toBe("EU_mailboxes");
    expect(await s.client.policies.exchange.get("nope")).toBeUndefined();
    expect((await s.client.policies.exchange.setEnabled("EU versionless", false)).enabled).toBe(false);
    expect((await s.client.policies.exchange.refresh("EU_mailboxes")).name).toBe("EU_mailboxes");
  });

  it("creates a DEP whose answer was lost after Exchange made it: one New-*, reported created", async () => {
    const newRequests = () => s.emulator.requests.list({ service: "exchange", operation: "New-DataEncryptionPolicy" }).length;
    const before = newRequests();
    const remove = s.emulator.faults.inject({ service: "exchange", operation: "New-DataEncryptionPolicy", stage: "response", mode: "reset", count: 1 });
    try {
      const result = await s.client.policies.exchange.create({ name: "Lost_answer", keyUris: s.keyUris });
      expect(result).toMatchObject({ created: true, policy: { name: "Lost_answer" } });
    } finally {
      remove();
    }
    expect(newRequests() - before).toBe(1);
  });

  it("assigns a mailbox and a mail user, and reports encryption by name after the move", async () => {
    const [box] = s.emulator.exchange.listMailboxes({ offset: 0, limit: 1 });
    const [user] = s.emulator.exchange.listMailUsers({ offset: 0, limit: 1 });
    expect(await s.client.policies.exchange.assign(box!.userPrincipalName, "EU_mailboxes")).toMatchObject({ recipientType: "mailbox", changed: true });
    expect(await s.client.policies.exchange.assign(box!.userPrincipalName, "EU_mailboxes")).toMatchObject({ changed: false });
    expect(await s.client.policies.exchange.assign(user!.userPrincipalName, "EU_mailboxes")).toMatchObject({ recipientType: "mailUser", changed: true });
    s.emulator.clock.advance(72 * 3600_000 + 1000);
    const enc = await s.client.policies.exchange.getMailboxEncryption(box!.userPrincipalName);
    expect(enc).toMatchObject({ isEncrypted: true, policyName: "EU_mailboxes", assignedPolicyName: "EU_mailboxes" });
  });

  it("beginAssign: paced to the throttle, checkpointed, resumed after an abort without re-sending, second run sends nothing", async () => {
    const mailboxes = s.emulator.exchange.listMailboxes({ offset: 1, limit: 150 }).map((m) => m.userPrincipalName);
    const checkpoint = path.join(dir, "assign.json");
    s.emulator.throttle.set("exchange", { requestsPerSecond: 100, burst: 20 });
    try {
      const baseline = setMailboxOk();
      const abort = new AbortController();
      const seen: number[] = [];
      const first = s.client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", {
        checkpoint,
        abortSignal: abort.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.done >= 60) abort.abort();
        },
      });
      await expect(first).rejects.toMatchObject({ code: "ERR_ABORTED" });
      const saved = JSON.parse(await readFile(checkpoint, "utf8")) as { succeeded: string[]; finished: boolean };
      expect(saved.finished).toBe(false);
      expect(saved.succeeded.length).toBeGreaterThanOrEqual(60);
      const sentFirst = setMailboxOk() - baseline;

      const started = performance.now();
      const result = await s.client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", { checkpoint });
      const seconds = (performance.now() - started) / 1000;
      expect(result.failed).toBe(0);
      expect(result.done).toBe(150);
      expect(result.skipped).toBeGreaterThanOrEqual(60);
      // No duplicates: each mailbox got exactly one successful Set-Mailbox over both runs.
      expect(setMailboxOk() - baseline).toBe(150);
      expect(result.requests - result.throttled).toBe(150 - sentFirst);
      expect(result.rate).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(30);

      const again = await s.client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", { checkpoint });
      expect(again).toMatchObject({ done: 150, skipped: 150, requests: 0 });
      expect(setMailboxOk() - baseline).toBe(150);
    } finally {
      s.emulator.throttle.set("exchange", undefined);
    }
  }, 120_000);

  it("beginAssign lists recipients that fail for good, and refuses bad input before sending", async () => {
    expect(() => s.client.policies.exchange.beginAssign("x" as never, "EU_mailboxes")).toThrow(expect.objectContaining({ code: "ERR_MAILBOXES_INVALID" }));
    const result = await s.client.policies.exchange.beginAssign(["nobody@nowhere.example"], "EU_mailboxes");
    expect(result.failures).toEqual([expect.objectContaining({ mailbox: "nobody@nowhere.example", code: "ERR_EXCHANGE_OBJECT_NOT_FOUND" })]);
  });

  it("requestPermanentDataPurge needs the name as confirmation and no Exchange access left", async () => {
    const before = s.emulator.requests.size;
    await expect(s.client.policies.exchange.requestPermanentDataPurge("EU_mailboxes", { reason: "exit", contact: "a@contoso.com", confirm: "eu" })).rejects.toMatchObject({ code: "ERR_CONFIRMATION_REQUIRED" });
    expect(s.emulator.requests.size).toBe(before);
    const error = await s.client.policies.exchange.requestPermanentDataPurge("EU_mailboxes", { reason: "exit", contact: "a@contoso.com", confirm: "EU_mailboxes" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_PURGE_ACCESS_REMAINS" });
    expect(String((error as Error).message)).toMatch(/contoso-exo-eu-a1.*contoso-exo-eu-b1|signed request to Microsoft/s);
  });
});

describe("policies.multiWorkload", () => {
  it("one assignment per tenant; replacing needs the old name", async () => {
    // The scenario's pair serves Exchange: give the M365DataAtRestEncryption principal the key permissions too.
    const principal = s.emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.multiWorkload)!;
    expect(principal).toBeDefined();
    for (const v of [s.primary, s.secondary]) {
      await rawVaultManagement(s.emulator, v.subscriptionId).vaults.updateAccessPolicy(v.resourceGroup, v.vaultName, "add", {
        properties: { accessPolicies: [{ tenantId: s.emulator.tenantId, objectId: principal.objectId, permissions: { keys: ["get", "wrapKey", "unwrapKey"] } }] },
      });
    }
    const mw = s.client.policies.multiWorkload;
    expect(await mw.create({ name: "Tenant_DEP", keyUris: s.keyUris })).toMatchObject({ created: true });
    await mw.create({ name: "Tenant_DEP_2", keyUris: s.keyUris });
    expect(await mw.getAssignment()).toBeUndefined();
    expect(await mw.assign("Tenant_DEP")).toMatchObject({ changed: true, replaced: undefined });
    expect(await mw.assign("Tenant_DEP")).toMatchObject({ changed: false });
    await expect(mw.assign("Tenant_DEP_2")).rejects.toMatchObject({ code: "ERR_CONFIRMATION_REQUIRED" });
    expect(await mw.assign("Tenant_DEP_2", { replaceConfirm: "Tenant_DEP" })).toMatchObject({ changed: true, replaced: "Tenant_DEP" });
    expect((await mw.getAssignment())?.policyName).toBe("Tenant_DEP_2");
  });
});

describe("policies.exchange.beginAssign against the throttle", () => {
  it("paces itself to the throttle: no failure, no duplicate, never above the budget", async () => {
    // The budget figure (≥ 90 % used) is measured by bench/bulk-assign; a test on a loaded 2-core machine only checks the
    // pacing: a limit low enough that any machine meets it, so the limiter must find it, and stays under it.
    s.emulator.exchange.addMailboxes(150);
    const mailboxes = s.emulator.exchange.listMailboxes({ offset: 200, limit: 150 }).map((m) => m.userPrincipalName);
    const limit = { requestsPerSecond: 20, burst: 10 };
    s.emulator.throttle.set("exchange", limit);
    try {
      const baseline = setMailboxOk();
      const result = await s.client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes");
      expect(result).toMatchObject({ done: 150, failed: 0, skipped: 0 });
      expect(setMailboxOk() - baseline).toBe(150);
      // Budget: what the bucket allowed over the run (burst + rate × time); one read went first.
      const budget = limit.burst + (limit.requestsPerSecond * result.elapsedMs) / 1000;
      const used = (150 + 1) / budget;
      console.log(`bulk assign 150 at 20/s burst 10: ${result.elapsedMs} ms, ${result.throttled} throttled, budget used ${(used * 100).toFixed(1)} %`);
      expect(used).toBeLessThanOrEqual(1.05);
      expect(result.throttled).toBeGreaterThan(0); // it found the limit, rather than staying below it
    } finally {
      s.emulator.throttle.set("exchange", undefined);
    }
  }, 120_000);
});

describe("validate() with microsoft365", () => {
  it("adds the policy checks only when asked, with evidence and fixes naming the SDK call and the cmdlet", async () => {
    const plain = await s.client.validate(s.spec);
    expect(plain.checks.filter((c) => c.id.startsWith("policy."))).toEqual([]);
    const report = await s.client.validate(s.spec, { microsoft365: true });
    const byId = Object.fromEntries(report.checks.filter((c) => c.id.startsWith("policy.")).map((c) => [c.id, c]));
    expect(Object.keys(byId)).toEqual(["policy.exchange.name", "policy.exchange.limit", "policy.keys.distinctVaults", "policy.keys.resolvable", "policy.exchange.assignment", "policy.sharePoint.state", "policy.multiWorkload.assignment"]);
    expect(byId["policy.exchange.name"]).toMatchObject({ status: "warn", evidence: expect.stringContaining("'EU versionless'") });
    expect(byId["policy.exchange.limit"]).toMatchObject({ status: "pass", evidence: expect.stringContaining("3 of at most 50") });
    expect(byId["policy.keys.distinctVaults"]).toMatchObject({ status: "pass" });
    expect(byId["policy.keys.resolvable"], byId["policy.keys.resolvable"]!.evidence).toMatchObject({ status: "pass" });
    expect(byId["policy.exchange.assignment"]).toMatchObject({ status: "warn", remediation: expect.stringMatching(/beginAssign.*Set-Mailbox/) });
    expect(byId["policy.exchange.assignment"]!.evidence).toMatch(/^\d+ of \d+ mailbox/);
    expect(byId["policy.multiWorkload.assignment"]).toMatchObject({ status: "pass", evidence: expect.stringContaining("Tenant_DEP_2") });

    // The Exchange principal loses unwrap on one vault: resolvable fails and names it.
    const exchangeSp = s.emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.exchange)!;
    await rawVaultManagement(s.emulator, s.primary.subscriptionId).vaults.updateAccessPolicy(s.primary.resourceGroup, s.primary.vaultName, "remove", {
      properties: { accessPolicies: [{ tenantId: s.emulator.tenantId, objectId: exchangeSp.objectId, permissions: { keys: ["get", "wrapKey", "unwrapKey"] } }] },
    });
    const after = await s.client.validate(s.spec, { microsoft365: true });
    const resolvable = after.checks.find((c) => c.id === "policy.keys.resolvable")!;
    expect(resolvable.status).toBe("fail");
    expect(resolvable.evidence).toContain(`Office 365 Exchange Online cannot unwrap (${s.primary.vaultName}`);
    expect(resolvable.remediation).toMatch(/client\.policies\.exchange\.refresh.*Set-DataEncryptionPolicy -Refresh/);

    // With one vault's access gone, the purge request still names the other vault's access.
    const error = await s.client.policies.exchange.requestPermanentDataPurge("EU_mailboxes", { reason: "exit", contact: "a@contoso.com", confirm: "EU_mailboxes" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_PURGE_ACCESS_REMAINS" });
    expect((error as Error).message).toContain(s.secondary.vaultName);
    expect((error as Error).message).not.toContain(`vault ${s.primary.vaultName}:`);
    expect((error as Error).message).toContain("signed request to Microsoft");
  }, 120_000);
});

describe("policies.exchange: sources, checkpoints and the limit", () => {
  it("takes an async iterable (mail users too) and { allWithoutPolicy: true } read with paging", async () => {
    const users = s.emulator.exchange.listMailUsers({ offset: 1, limit: 3 }).map((u) => u.userPrincipalName);
    async function* source() {
      for (const u of users) yield u;
    }
    const fromIterable = await s.client.policies.exchange.beginAssign(source(), "EU_mailboxes");
    expect(fromIterable).toMatchObject({ done: 3, failed: 0, remaining: 0 });

    const total = s.emulator.exchange.mailboxCount;
    const result = await s.client.policies.exchange.beginAssign({ allWithoutPolicy: true }, "EU_mailboxes");
    expect(result.failed).toBe(0);
    expect(result.done).toBeGreaterThan(0);
    const { value } = await new ExchangeRestTransport({ credential: s.emulator.credentialFor(s.emulator.admin.userPrincipalName), tenantId: s.emulator.tenantId, endpoint: s.emulator.endpoints.exchange, ...s.emulator.clientOptions() }).invoke({ cmdlet: "Get-Mailbox" });
    expect(value).toHaveLength(total);
    expect(value.filter((r) => r["DataEncryptionPolicy"] == null)).toEqual([]);
    // Nothing left: a second run reads and sends nothing.
    expect(await s.client.policies.exchange.beginAssign({ allWithoutPolicy: true }, "EU_mailboxes")).toMatchObject({ done: 0, requests: 0 });
  }, 60_000);

  it("retries transient faults (503, a reset connection) a few times and counts them done, not failed", async () => {
    const mailboxes = s.emulator.exchange.listMailUsers({ offset: 5, limit: 6 }).map((u) => u.userPrincipalName);
    const stops: (() => void)[] = [];
    try {
      // Injected once the first recipient is done, so they hit the assignments, not the policy read.
      const result = await s.client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", {
        readCurrentState: false,
        concurrency: 1,
        onProgress: () => {
          if (stops.length > 0) return;
          stops.push(s.emulator.faults.inject({ service: "exchange", path: "InvokeCommand", status: 503, count: 2 }));
          stops.push(s.emulator.faults.inject({ service: "exchange", path: "InvokeCommand", mode: "reset", count: 1 }));
        },
      });
      expect(result).toMatchObject({ done: 6, failed: 0, failures: [] });
      expect(result.requests).toBeGreaterThan(6);
    } finally {
      for (const stop of stops) stop();
    }
  }, 60_000);

  it("refuses a checkpoint file of another policy, or one that is not a checkpoint", async () => {
    const file = path.join(dir, "other.json");
    await s.client.policies.exchange.beginAssign([s.emulator.exchange.listMailboxes({ limit: 1 })[0]!.userPrincipalName], "EU_mailboxes", { checkpoint: file });
    await expect(s.client.policies.exchange.beginAssign(["x@contoso.com"], "EU versionless", { checkpoint: file })).rejects.toMatchObject({ code: expect.stringMatching(/ERR_CHECKPOINT_INVALID|ERR_POLICY_NOT_FOUND/) });
    await s.client.policies.exchange.setEnabled("EU versionless", true);
    await expect(s.client.policies.exchange.beginAssign(["x@contoso.com"], "EU versionless", { checkpoint: file })).rejects.toMatchObject({ code: "ERR_CHECKPOINT_INVALID" });
    await writeFile(path.join(dir, "junk.json"), "not json");
    await expect(s.client.policies.exchange.beginAssign(["x@contoso.com"], "EU_mailboxes", { checkpoint: path.join(dir, "junk.json") })).rejects.toMatchObject({ code: "ERR_CHECKPOINT_INVALID" });
  });

  it("stops at 50 mailbox DEPs with ERR_POLICY_LIMIT_REACHED", async () => {
    // The validate() test took Exchange's access to the primary vault away; Exchange refuses a DEP without it.
    const exchangeSp = s.emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.exchange)!;
    await rawVaultManagement(s.emulator, s.primary.subscriptionId).vaults.updateAccessPolicy(s.primary.resourceGroup, s.primary.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: s.emulator.tenantId, objectId: exchangeSp.objectId, permissions: { keys: ["get", "wrapKey", "unwrapKey"] } }] },
    });
    let count = 0;
    for await (const _ of s.client.policies.exchange.list()) count++;
    for (let i = count; i < 50; i++) await s.client.policies.exchange.create({ name: `Filler_${i}`, keyUris: s.keyUris });
    const before = s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "New-DataEncryptionPolicy").length;
    await expect(s.client.policies.exchange.create({ name: "One_too_many", keyUris: s.keyUris })).rejects.toMatchObject({ code: "ERR_POLICY_LIMIT_REACHED" });
    expect(s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "New-DataEncryptionPolicy").length).toBe(before);
    // An existing one with the same keys is still a no-op at the limit.
    expect(await s.client.policies.exchange.create({ name: "Filler_49", keyUris: s.keyUris })).toMatchObject({ created: false });
  }, 120_000);
});
