/**
 * Issue 14, reliability: the audit trail. Every mutating public method (the ones
 * safety.test.ts classifies other than `read`), run through the real clients against the emulator
 * on a client with `audit: { write }`, writes the documented number of JSON lines: who (the
 * token's principal), what, target, before, after, at, and a requestId that is in the emulator's
 * request log as an accepted request of that change. A second, idempotent call writes nothing;
 * a client without `audit` writes nothing; `audit: { file }` appends to a file of mode 0600.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startM365Scenario, type M365Scenario } from "../../examples/m365-setup.js";
import { MICROSOFT_365_APPS } from "../../src/emulator/index.js";
import { CustomerKeyClient, type AuditRecord, type VaultCoordinates, type VaultPairSpec } from "../../src/index.js";
import { createVault, rawKeyClient } from "../client/keys-fixtures.js";

const HOUR = 3_600_000;
let scenario: M365Scenario;
let client: CustomerKeyClient;
let dir: string;
const written: string[] = [];
/** Public methods the table below ran, to check it against safety.test.ts's classification. */
const covered = new Set<string>();

beforeAll(async () => {
  scenario = await startM365Scenario(["exchange", "sharePoint", "multiWorkload"]);
  dir = await mkdtemp(path.join(tmpdir(), "ck-audit-"));
  client = new CustomerKeyClient(scenario.emulator.credential(), {
    ...scenario.emulator.customerKeyClientOptions(),
    pollIntervalInMs: 10,
    retry: { retryDelayInMs: 5 },
    audit: { write: (line) => void written.push(line) },
  });
}, 90_000);

afterAll(async () => {
  await scenario?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The audit lines `run` wrote. */
async function linesOf(method: string, run: () => Promise<unknown>): Promise<AuditRecord[]> {
  covered.add(method);
  const from = written.length;
  await run();
  return written.slice(from).map((line) => JSON.parse(line) as AuditRecord);
}

/** Every field present and sensible, and the request id one the emulator answered for an accepted write. */
function checkLine(line: AuditRecord, what: string | RegExp): void {
  const { emulator } = scenario;
  if (typeof what === "string") expect(line.what).toBe(what);
  else expect(line.what).toMatch(what);
  expect(line.who).toMatchObject({ objectId: emulator.admin.objectId, tenantId: emulator.tenantId });
  expect(line.who.name).toBe(emulator.admin.userPrincipalName);
  expect(line.target.length).toBeGreaterThan(0);
  expect(line).toHaveProperty("before");
  expect(line).toHaveProperty("after");
  expect(Math.abs(Date.parse(line.at) - Date.now())).toBeLessThan(120_000);
  expect(line.requestId, `${line.what} ${line.target}: no requestId`).toMatch(/^[0-9a-f-]{36}$/);
  const entry = emulator.requests.list().find((e) => e.requestId === line.requestId);
  expect(entry, `${line.what}: requestId not in the emulator's log`).toBeDefined();
  expect(entry!.status).toBeLessThan(400);
  // The request of the change: a write the emulator counts as one (Key Vault's backup is a POST it calls read-only: it writes a file here).
  if (line.what === "backups.backupKey") expect(entry!.operation).toBe("BackupKey");
  else expect(emulator.requests.mutating(entry!.seq).some((e) => e.seq === entry!.seq), `${line.what}: ${entry!.method} ${entry!.path} ${entry!.operation ?? ""} is not a write`).toBe(true);
}

function expectLines(lines: AuditRecord[], ...whats: (string | RegExp)[]): void {
  expect(lines.map((l) => l.what)).toHaveLength(whats.length);
  lines.forEach((line, i) => checkLine(line, whats[i]!));
}

/** A vault of the scenario's Exchange pair (examples/m365-setup.ts names them). */
const vaultOf = (member: "primary" | "secondary"): VaultCoordinates => {
  const [a, b] = scenario.emulator.subscriptionIds as [string, string];
  const short = "exo";
  return member === "primary" ? { subscriptionId: a, resourceGroup: `rg-ck-${short}-a`, vaultName: `contoso-${short}-eu-a1` } : { subscriptionId: b, resourceGroup: `rg-ck-${short}-b`, vaultName: `contoso-${short}-eu-b1` };
};

describe("audit trail: one line per change, with the service's request id", () => {
  it("subscriptions.beginRegisterDoNotCancel: the feature request, then nothing on a second run", { timeout: 30_000 }, async () => {
    for (const subscriptionId of scenario.emulator.subscriptionIds) {
      const providerBefore = (await client.subscriptions.getDoNotCancelState(subscriptionId)).providerState;
      const lines = await linesOf("subscriptions.beginRegisterDoNotCancel", async () => {
        const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
        await poller.poll();
        scenario.emulator.approveDoNotCancel(subscriptionId);
        await poller.pollUntilDone();
      });
      // The vault pairs registered Microsoft.KeyVault already: only the feature is requested.
      expect(providerBefore).toBe("Registered");
      expectLines(lines, "subscriptions.registerDoNotCancel");
      expect(lines[0]!.before).toEqual({ featureState: "NotRegistered" });
      expect(lines[0]!.after).toEqual({ featureState: "Pending" });
      expect(await linesOf("subscriptions.beginRegisterDoNotCancel", () => client.subscriptions.beginRegisterDoNotCancel(subscriptionId).pollUntilDone())).toEqual([]);
    }
  });

  it("vaultPairs.beginApply: one line per change of the plan, none when applied again", { timeout: 60_000 }, async () => {
    const [a, b] = scenario.emulator.subscriptionIds as [string, string];
    const spec: VaultPairSpec = {
      workload: "exchange",
      permissionModel: "accessPolicy",
      administrators: [scenario.emulator.admin.userPrincipalName],
      primary: { subscriptionId: a, resourceGroup: "rg-audit-a", location: "westeurope", vaultName: "contoso-aud-eu-a1" },
      secondary: { subscriptionId: b, resourceGroup: "rg-audit-b", location: "swedencentral", vaultName: "contoso-aud-eu-b1" },
    };
    const plan = await client.vaultPairs.plan(spec);
    const changes = plan.changes.filter((c) => c.kind !== "noop");
    expect(changes.length).toBeGreaterThanOrEqual(6);
    const lines = await linesOf("vaultPairs.beginApply", () => client.vaultPairs.beginApply(plan).pollUntilDone());
    expectLines(lines, ...changes.map((c) => `vaultPairs.beginApply.${c.resource}`));
    expect(lines.map((l) => l.target)).toEqual(changes.map((c) => c.target));
    expect(lines.find((l) => l.what === "vaultPairs.beginApply.vault")).toMatchObject({ before: null, after: { location: "westeurope" } });
    expect(await linesOf("vaultPairs.beginApply", async () => client.vaultPairs.beginApply(await client.vaultPairs.plan(spec)).pollUntilDone())).toEqual([]);
  });

  it("vaultPairs.grantAdministrator and revokeAccess: one line each, none when repeated", async () => {
    const { emulator } = scenario;
    const domain = emulator.admin.userPrincipalName.split("@")[1]!;
    const user = emulator.directory.createUser({ userPrincipalName: `audit.admin@${domain}` });
    const vault = vaultOf("primary");
    const granted = await linesOf("vaultPairs.grantAdministrator", () => client.vaultPairs.grantAdministrator(vault, user.userPrincipalName));
    expectLines(granted, "vaultPairs.grantAdministrator.accessPolicy");
    expect(granted[0]).toMatchObject({ before: null, after: { objectId: user.objectId } });
    expect(await linesOf("vaultPairs.grantAdministrator", () => client.vaultPairs.grantAdministrator(vault, user.userPrincipalName))).toEqual([]);
    const revoked = await linesOf("vaultPairs.revokeAccess", () => client.vaultPairs.revokeAccess(vault, user.userPrincipalName, { confirm: user.userPrincipalName }));
    expectLines(revoked, "vaultPairs.revokeAccess.accessPolicy");
    expect(revoked[0]!.after).toBeNull();
    expect(await linesOf("vaultPairs.revokeAccess", () => client.vaultPairs.revokeAccess(vault, user.userPrincipalName, { confirm: user.userPrincipalName }))).toEqual([]);
  });

  it("keys: create, import, roll, clearExpiry, recover; none for what is in place, never key material", { timeout: 60_000 }, async () => {
    // A vault where the admin may also break things the SDK never does (set an expiry, delete a key).
    const [a] = scenario.emulator.subscriptionIds as [string];
    const vault = (await createVault(scenario.emulator, { subscriptionId: a, resourceGroup: "rg-audit-keys", location: "westeurope", name: "ck-audit-keys" })).ref;
    const created = await linesOf("keys.create", () => client.keys.create(vault, "audit-key"));
    expectLines(created, "keys.create");
    expect(created[0]).toMatchObject({ before: null, after: { keyType: "RSA-HSM", keySize: 2048, keyOperations: ["wrapKey", "unwrapKey"] } });
    expect(await linesOf("keys.create", () => client.keys.create(vault, "audit-key"))).toEqual([]);

    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    const imported = await linesOf("keys.import", () => client.keys.import(vault, "audit-byok", jwk as never));
    expectLines(imported, "keys.import");
    for (const field of ["n", "d", "p", "q", "dp", "dq", "qi"]) expect(JSON.stringify(imported[0])).not.toContain(jwk[field]!.slice(0, 24));
    expect(await linesOf("keys.import", () => client.keys.import(vault, "audit-byok", jwk as never))).toEqual([]);

    const keyId = (created[0]!.after as { keyId: string }).keyId;
    const rolled = await linesOf("keys.roll", () => client.keys.roll(keyId));
    expectLines(rolled, "keys.roll");
    expect((rolled[0]!.before as { keyId: string }).keyId).toBe(keyId);
    expect((rolled[0]!.after as { keyId: string }).keyId).not.toBe(keyId);

    const raw = rawKeyClient(scenario.emulator, created[0]!.target.replace(/\/keys\/.*$/, ""));
    const current = await raw.getKey("audit-key");
    await raw.updateKeyProperties("audit-key", current.properties.version!, { expiresOn: new Date("2030-01-01T00:00:00Z") });
    const cleared = await linesOf("keys.clearExpiry", () => client.keys.clearExpiry(current.id!));
    expectLines(cleared, "keys.clearExpiry");
    expect(cleared[0]).toMatchObject({ before: { expiresOn: "2030-01-01T00:00:00.000Z" }, after: { expiresOn: "9999-12-31T00:00:00.000Z" } });
    expect(await linesOf("keys.clearExpiry", () => client.keys.clearExpiry(current.id!))).toEqual([]);

    await (await raw.beginDeleteKey("audit-byok", { intervalInMs: 10 })).pollUntilDone();
    const recovered = await linesOf("keys.recover", () => client.keys.recover(vault, "audit-byok"));
    expectLines(recovered, "keys.recover");
    expect(recovered[0]).toMatchObject({ before: { state: "softDeleted" }, after: { state: "live" } });
    expect(await linesOf("keys.recover", () => client.keys.recover(vault, "audit-byok"))).toEqual([]);
  });

  it("backups: each backupKey writes a new file (one line each, never its bytes); restoreKey one line", { timeout: 60_000 }, async () => {
    const directory = path.join(dir, "backups");
    const keyId = scenario.keys.exchange!.primary;
    const first = await linesOf("backups.backupKey", () => client.backups.backupKey(keyId, { directory }));
    expectLines(first, "backups.backupKey");
    const file = (first[0]!.after as { file: string }).file;
    expect(path.dirname(file)).toBe(path.resolve(directory));
    const bytes = await readFile(file);
    expect(JSON.stringify(first[0])).not.toContain(bytes.toString("base64").slice(40, 80));
    // backupKey is additive: a second call is a second file, and a second line.
    expectLines(await linesOf("backups.backupKey", () => client.backups.backupKey(keyId, { directory })), "backups.backupKey");

    const [a] = scenario.emulator.subscriptionIds as [string];
    const purgeable = await createVault(scenario.emulator, { subscriptionId: a, resourceGroup: "rg-audit-restore", location: "westeurope", name: "ck-audit-purgeable", purgeProtection: false });
    const { key } = await client.keys.create(purgeable.vaultUrl, "gone");
    const backup = await client.backups.backupKey(key.versionlessId, { directory });
    const raw = rawKeyClient(scenario.emulator, purgeable.vaultUrl);
    await (await raw.beginDeleteKey("gone", { intervalInMs: 10 })).pollUntilDone();
    await raw.purgeDeletedKey("gone");
    scenario.emulator.clock.advance({ seconds: 2 });
    const restored = await linesOf("backups.restoreKey", () => client.backups.restoreKey(purgeable.ref, backup.path));
    expectLines(restored, "backups.restoreKey");
    expect(restored[0]).toMatchObject({ before: null, after: { keyId: key.id, fromFile: backup.path } });
  });

  it("policies.exchange: create, setEnabled, refresh, assign, beginAssign; none for what is in place", { timeout: 60_000 }, async () => {
    const keyUris = [scenario.keys.exchange!.primary, scenario.keys.exchange!.secondary];
    const created = await linesOf("policies.exchange.create", () => client.policies.exchange.create({ name: "Audit_mailboxes", keyUris }));
    expectLines(created, "policies.exchange.create");
    expect(created[0]).toMatchObject({ target: "Audit_mailboxes", before: null, after: { name: "Audit_mailboxes", enabled: true } });
    expect(await linesOf("policies.exchange.create", () => client.policies.exchange.create({ name: "Audit_mailboxes", keyUris }))).toEqual([]);

    const disabled = await linesOf("policies.exchange.setEnabled", () => client.policies.exchange.setEnabled("Audit_mailboxes", false));
    expectLines(disabled, "policies.exchange.setEnabled");
    expect(disabled[0]).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
    expect(await linesOf("policies.exchange.setEnabled", () => client.policies.exchange.setEnabled("Audit_mailboxes", false))).toEqual([]);
    expectLines(await linesOf("policies.exchange.setEnabled", () => client.policies.exchange.setEnabled("Audit_mailboxes", true)), "policies.exchange.setEnabled");
    expectLines(await linesOf("policies.exchange.refresh", () => client.policies.exchange.refresh("Audit_mailboxes")), "policies.exchange.refresh");

    const boxes = scenario.emulator.exchange.listMailboxes({ limit: 5 }).map((m) => m.userPrincipalName);
    const one = await linesOf("policies.exchange.assign", () => client.policies.exchange.assign(boxes[0]!, "Audit_mailboxes"));
    expectLines(one, "policies.exchange.assign");
    expect(one[0]).toMatchObject({ target: boxes[0], after: { dataEncryptionPolicy: "Audit_mailboxes" } });
    expect(await linesOf("policies.exchange.assign", () => client.policies.exchange.assign(boxes[0]!, "Audit_mailboxes"))).toEqual([]);

    const bulk = await linesOf("policies.exchange.beginAssign", () => client.policies.exchange.beginAssign(boxes, "Audit_mailboxes").pollUntilDone());
    // One line per mailbox changed: the first one had it already.
    expectLines(bulk, ...boxes.slice(1).map(() => "policies.exchange.assign"));
    expect(bulk.map((l) => l.target).sort()).toEqual(boxes.slice(1).sort());
    expect(new Set(bulk.map((l) => l.requestId)).size).toBe(4);
    expect(await linesOf("policies.exchange.beginAssign", () => client.policies.exchange.beginAssign(boxes, "Audit_mailboxes").pollUntilDone())).toEqual([]);
  });

  it("policies.multiWorkload: create, setEnabled, refresh, assign; none for what is in place", { timeout: 30_000 }, async () => {
    const keyUris = [scenario.keys.multiWorkload!.primary, scenario.keys.multiWorkload!.secondary];
    expectLines(await linesOf("policies.multiWorkload.create", () => client.policies.multiWorkload.create({ name: "Audit_tenant", keyUris })), "policies.multiWorkload.create");
    expect(await linesOf("policies.multiWorkload.create", () => client.policies.multiWorkload.create({ name: "Audit_tenant", keyUris }))).toEqual([]);
    expectLines(await linesOf("policies.multiWorkload.setEnabled", () => client.policies.multiWorkload.setEnabled("Audit_tenant", false)), "policies.multiWorkload.setEnabled");
    expectLines(await linesOf("policies.multiWorkload.setEnabled", () => client.policies.multiWorkload.setEnabled("Audit_tenant", true)), "policies.multiWorkload.setEnabled");
    expectLines(await linesOf("policies.multiWorkload.refresh", () => client.policies.multiWorkload.refresh("Audit_tenant")), "policies.multiWorkload.refresh");
    const assigned = await linesOf("policies.multiWorkload.assign", () => client.policies.multiWorkload.assign("Audit_tenant"));
    expectLines(assigned, "policies.multiWorkload.assign");
    expect(assigned[0]).toMatchObject({ target: "tenant", before: null, after: { policyName: "Audit_tenant" } });
    expect(await linesOf("policies.multiWorkload.assign", () => client.policies.multiWorkload.assign("Audit_tenant"))).toEqual([]);
  });

  it("policies.sharePoint: register, rollKey, recover; none for what is in place", { timeout: 60_000 }, async () => {
    const { emulator } = scenario;
    const spo = scenario.keys.sharePoint!;
    const hourly = { onProgress: () => void emulator.clock.advance(HOUR) };
    const registered = await linesOf("policies.sharePoint.beginRegister", () => client.policies.sharePoint.beginRegister({ primaryKeyUri: spo.primary, secondaryKeyUri: spo.secondary, ...hourly }).pollUntilDone());
    expectLines(registered, "policies.sharePoint.register");
    expect(registered[0]).toMatchObject({ before: { status: "Unregistered" }, after: { requested: [expect.stringContaining(spo.primary), expect.stringContaining(spo.secondary)] } });
    expect(await linesOf("policies.sharePoint.beginRegister", () => client.policies.sharePoint.beginRegister({ primaryKeyUri: spo.primary, secondaryKeyUri: spo.secondary, ...hourly }).pollUntilDone())).toEqual([]);

    // A new version made outside the SDK (no line of its own), then the roll onto it.
    const raw = rawKeyClient(emulator, spo.primary.replace(/\/keys\/.*$/, ""));
    const next = await raw.createRsaKey("spo-root", { hsm: true, keyOps: ["wrapKey", "unwrapKey"] });
    const rolled = await linesOf("policies.sharePoint.beginRollKey", () => client.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: next.id!, ...hourly }).pollUntilDone());
    expectLines(rolled, "policies.sharePoint.rollKey");
    expect(rolled[0]!.after).toMatchObject({ keyType: "primary", requested: [next.id] });
    expect(await linesOf("policies.sharePoint.beginRollKey", () => client.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: next.id!, ...hourly }).pollUntilDone())).toEqual([]);

    emulator.sharePoint.beginRecovery();
    const recovered = await linesOf("policies.sharePoint.beginRecover", () => client.policies.sharePoint.beginRecover({ primaryKeyUri: next.id!, secondaryKeyUri: spo.secondary, ...hourly }).pollUntilDone());
    expectLines(recovered, "policies.sharePoint.recover");
    expect(recovered[0]).toMatchObject({ before: { recoveryEnabled: true } });
    expect(await linesOf("policies.sharePoint.beginRecover", () => client.policies.sharePoint.beginRecover({ primaryKeyUri: next.id!, secondaryKeyUri: spo.secondary, ...hourly }).pollUntilDone())).toEqual([]);
  });

  it("client.beginRollRootKey: the new version, its backup and each policy's refresh, one line each", { timeout: 60_000 }, async () => {
    const keyUri = scenario.keys.multiWorkload!.primary;
    const lines = await linesOf("client.beginRollRootKey", () => client.beginRollRootKey(keyUri, { backupDirectory: path.join(dir, "roll"), updateIntervalInMs: 5, onProgress: () => void scenario.emulator.clock.advance(HOUR) }).pollUntilDone());
    // The multi-workload key backs one DEP, Audit_tenant (made above).
    expectLines(lines, "keys.roll", "backups.backupKey", "policies.multiWorkload.refresh");
    expect(lines[2]!.target).toBe("Audit_tenant");
  });

  it("policies.exchange.requestPermanentDataPurge: one line, after Exchange's access is revoked (one line per vault)", { timeout: 30_000 }, async () => {
    const exo = scenario.emulator.directory.findServicePrincipal(MICROSOFT_365_APPS.exchangeOnline.appId)!;
    const keyUris = [scenario.keys.exchange!.primary, scenario.keys.exchange!.secondary];
    await client.policies.exchange.create({ name: "Audit_leaving", keyUris });
    for (const member of ["primary", "secondary"] as const) {
      const revoked = await linesOf("vaultPairs.revokeAccess", () => client.vaultPairs.revokeAccess(vaultOf(member), exo.objectId, { confirm: exo.objectId, allowMicrosoft365Revocation: true }));
      expectLines(revoked, "vaultPairs.revokeAccess.accessPolicy");
    }
    const purge = await linesOf("policies.exchange.requestPermanentDataPurge", () => client.policies.exchange.requestPermanentDataPurge("Audit_leaving", { reason: "leaving", contact: "admin@contoso.com", confirm: "Audit_leaving" }));
    expectLines(purge, "policies.exchange.requestPermanentDataPurge");
    expect(purge[0]).toMatchObject({ before: { permanentDataPurgeRequested: false }, after: { permanentDataPurgeRequested: true } });
  });

  it("the table covered every mutating public method but onboarding.beginApply (test/onboarding/apply.test.ts)", async () => {
    const source = await readFile(path.join(import.meta.dirname, "safety.test.ts"), "utf8");
    const classified = [...source.matchAll(/^ {2}"([\w.]+)": "(\w+)"/gm)].filter(([, , kind]) => kind !== "read").map(([, name]) => name!);
    expect(classified.length).toBeGreaterThan(20);
    expect(classified.filter((m) => !covered.has(m) && m !== "onboarding.beginApply")).toEqual([]);
  });
});

describe("audit options", () => {
  it("off: a client without `audit` writes nothing anywhere", async () => {
    const before = written.length;
    const files = await readdir(dir);
    const off = new CustomerKeyClient(scenario.emulator.credential(), { ...scenario.emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
    await off.keys.create(vaultOf("secondary"), "audit-off");
    expect(written.length).toBe(before);
    expect(await readdir(dir)).toEqual(files);
  });

  it("file: one line per change appended to a file created with mode 0600", async () => {
    const file = path.join(dir, "audit.jsonl");
    expect(existsSync(file)).toBe(false);
    const onFile = new CustomerKeyClient(scenario.emulator.credential(), { ...scenario.emulator.customerKeyClientOptions(), pollIntervalInMs: 10, audit: { file } });
    const vault = vaultOf("secondary");
    await onFile.keys.create(vault, "audit-file-1");
    await onFile.keys.create(vault, "audit-file-1");
    await onFile.keys.create(vault, "audit-file-2");
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as AuditRecord);
    expect(lines.map((l) => l.target.split("/").at(-1))).toEqual(["audit-file-1", "audit-file-2"]);
    for (const line of lines) checkLine(line, "keys.create");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
