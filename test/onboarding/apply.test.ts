import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, parseOnboardingConfig, type OnboardingConfig } from "../../src/index.js";

let emulator: Emulator;
let dir: string;
let auditLines: string[] = [];
let client: CustomerKeyClient;
let config: OnboardingConfig;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(path.join(tmpdir(), "ck-onboarding-"));
  client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10, audit: { file: path.join(dir, "audit.jsonl") } });
  const [a, b] = emulator.subscriptionIds as [string, string];
  const mailboxes = emulator.exchange.listMailboxes({ limit: 30 }).map((m) => m.userPrincipalName);
  await writeFile(path.join(dir, "mailboxes.txt"), `# first ten\n${mailboxes.slice(10, 20).join("\n")}\n`);
  config = parseOnboardingConfig({
    tenantId: emulator.tenantId,
    subscriptions: { primary: a, secondary: b },
    administrators: [emulator.admin.userPrincipalName],
    keys: { size: 3072, protection: "hsm" },
    backups: { directories: [path.join(dir, "online"), path.join(dir, "offline")] },
    vaultPairs: {
      exchange: { primary: { resourceGroup: "rg-exo-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" }, secondary: { resourceGroup: "rg-exo-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" }, keyName: "exo-root" },
      sharePoint: { primary: { resourceGroup: "rg-spo-a", location: "westeurope", vaultName: "contoso-spo-eu-a1" }, secondary: { resourceGroup: "rg-spo-b", location: "swedencentral", vaultName: "contoso-spo-eu-b1" }, keyName: "spo-root" },
      multiWorkload: { primary: { resourceGroup: "rg-m365-a", location: "westeurope", vaultName: "contoso-m365-eu-a1" }, secondary: { resourceGroup: "rg-m365-b", location: "swedencentral", vaultName: "contoso-m365-eu-b1" }, keyName: "m365-root" },
    },
    policies: {
      exchange: [
        { name: "EU_mailboxes", vaultPair: "exchange", mailboxes: { list: mailboxes.slice(0, 10) } },
        { name: "EU_file", vaultPair: "exchange", mailboxes: { file: path.join(dir, "mailboxes.txt") } },
      ],
      sharePoint: [{ vaultPair: "sharePoint" }],
      multiWorkload: { name: "Tenant_default", vaultPair: "multiWorkload" },
    },
    microsoft: { onboardingRequestSubmitted: true },
  });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("client.onboarding", () => {
  it("plans from nothing without changing anything, in order, within 100 columns", async () => {
    const since = emulator.requests.size;
    const plan = await client.onboarding.plan(config);
    expect(emulator.requests.mutating(since)).toEqual([]);
    const phases = [...new Set(plan.steps.map((s) => s.phase))];
    expect(phases).toEqual(["doNotCancel", "vaults", "keys", "backups", "preflight", "policies", "assignments"]);
    expect(plan.steps.find((s) => s.id === "doNotCancel/primary/approval")?.kind).toBe("wait");
    expect(plan.steps.filter((s) => s.phase === "keys" && s.kind === "create")).toHaveLength(6);
    expect(plan.steps.filter((s) => s.phase === "backups" && s.kind === "create")).toHaveLength(12);
    // Keys not made yet are named in the client's cloud: here the emulator's vault host, not vault.azure.net.
    const exchangePolicy = plan.steps.find((s) => s.id.startsWith("policies/exchange/"))!;
    expect(exchangePolicy.reason).toContain(emulator.endpoints.vaultUrl("contoso-exo-eu-a1"));
    const text = plan.format();
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(JSON.parse(JSON.stringify(plan)).steps).toHaveLength(plan.steps.length);
  }, 60_000);

  it("stops at Do-Not-Cancel approval, then applies to the end; a second apply sends no mutating request", async () => {
    const journal = path.join(dir, "journal.json");
    const first = await client.onboarding.beginApply(await client.onboarding.plan(config), { journal }).pollUntilDone();
    expect(first.status).toBe("waiting");
    expect(first.waitingFor?.id).toBe("doNotCancel/primary/approval");
    for (const sub of emulator.subscriptionIds) emulator.approveDoNotCancel(sub);

    const progress: string[] = [];
    const second = await client.onboarding.beginApply(await client.onboarding.plan(config), { journal, onProgress: (p) => progress.push(`${p.step.id}:${p.outcome}`) }).pollUntilDone();
    expect(second.status).toBe("completed");
    expect(Object.keys(second.keys).sort()).toEqual(["exchange/primary", "exchange/secondary", "multiWorkload/primary", "multiWorkload/secondary", "sharePoint/primary", "sharePoint/secondary"]);
    expect(progress).toContain("assignments/multiWorkload/Tenant_default:done");
    expect(progress).toContain("policies/sharePoint/default:done");
    expect((await client.policies.sharePoint.get()).primaryKeyUri?.toLowerCase()).toContain("contoso-spo-eu-a1");
    expect((await readdir(path.join(dir, "offline"))).filter((f) => f.endsWith(".backup"))).toHaveLength(6);
    // Ten mailboxes from the list and ten from the file, each assigned once.
    const assigned = emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Set-Mailbox" && r.status === 200);
    expect(assigned).toHaveLength(20);

    const since = emulator.requests.size;
    const plan = await client.onboarding.plan(config);
    expect(plan.steps.filter((s) => s.kind !== "noop" && s.kind !== "check").map((s) => s.id)).toEqual([]);
    const third = await client.onboarding.beginApply(plan, { journal: path.join(dir, "journal-2.json") }).pollUntilDone();
    expect(third.status).toBe("completed");
    expect(third.changed).toEqual([]);
    expect(emulator.requests.mutating(since).map((r) => `${r.method} ${r.path} ${r.operation ?? ""}`)).toEqual([]);
  }, 120_000);

  it("writes an audit trail without tokens, secrets or key material: the modules' lines, one per change", async () => {
    const text = await readFile(path.join(dir, "audit.jsonl"), "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { who: { name?: string }; what: string; target: string; requestId?: string });
    expect(lines.map((l) => l.what)).toEqual(expect.arrayContaining(["subscriptions.registerDoNotCancel", "vaultPairs.beginApply.vault", "vaultPairs.beginApply.accessPolicy", "keys.create", "backups.backupKey", "policies.exchange.create", "policies.exchange.assign", "policies.sharePoint.register", "policies.multiWorkload.create", "policies.multiWorkload.assign"]));
    // Onboarding writes no line of its own: each change is the line of the module method that made it.
    const count = (what: string) => lines.filter((l) => l.what === what).length;
    expect(count("keys.create")).toBe(6);
    expect(count("backups.backupKey")).toBe(12);
    expect(count("policies.exchange.assign")).toBe(20);
    expect(count("vaultPairs.beginApply.vault")).toBe(6);
    // Every change went through the SDK's own pipelines: each line has the id of a request the emulator answered, none shared.
    const ids = new Set(emulator.requests.list().map((r) => r.requestId));
    expect(lines.filter((l) => !l.requestId || !ids.has(l.requestId)).map((l) => `${l.what} ${l.target}`)).toEqual([]);
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(lines.length);
    expect(lines[0]!.who.name ?? (lines[0]!.who as { objectId?: string }).objectId).toBeTruthy();
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\./);
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi|k)":"[A-Za-z0-9_-]{16,}/);
    auditLines = text.split("\n");
    expect(auditLines.length).toBeGreaterThan(5);
  });
});
