import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { customerKeyVaults, errorDetail, exchangeClient, revoke } from "./helpers/exchange-client.js";
import { grantKeys, keyClient } from "./helpers/vaults.js";

/** Customer Key behaviour of the emulated Exchange Online: DEP creation, moves, refresh, fail-over, purge, restart. */

let emulator: Emulator;
let keyIds: string[];
let exchangeSp: { objectId: string };
let dataAtRestSp: { objectId: string };
const HOUR = 3600_000;

let pair = 0;
beforeAll(async () => {
  emulator = await startEmulator({ exchange: { mailboxes: 20, mailUsers: 2 } });
});
afterAll(() => emulator?.stop());
/** One emulator for the file (certificates take seconds); each test gets a new vault pair and an empty Exchange state. */
beforeEach(async () => {
  pair++;
  emulator.faults.clear();
  emulator.exchange.setMoveDuration(72 * HOUR);
  emulator.withLiveState((s) => {
    Object.assign(s.exchange, { mailboxes: {}, mailUsers: {}, policies: {}, m365Policies: {} });
    delete s.exchange.m365Assignment;
  });
  ({ keyIds, exchange: exchangeSp, dataAtRest: dataAtRestSp } = await customerKeyVaults(emulator, [`kv-exo-${pair}a`, `kv-exo-${pair}b`]));
});
const vaultA = () => `kv-exo-${pair}a`;
const vaultB = () => `kv-exo-${pair}b`;

describe("DEP creation", () => {
  it("creates a DEP (names with spaces accepted) whose row carries the confirmed members", async () => {
    const exo = await exchangeClient(emulator);
    const created = await exo.ok("New-DataEncryptionPolicy", { Name: "US Mailboxes", AzureKeyIDs: keyIds, Description: "North America" });
    const row = created.value[0];
    expect(row).toMatchObject({ Name: "US Mailboxes", Identity: "US Mailboxes", Description: "North America", Enabled: true, AzureKeyIDs: keyIds, State: "PendingActivation", PermanentDataPurgeRequested: false });
    expect(row["AzureKeyIDs@odata.type"]).toBe("#Collection(String)");
    const byGuid = await exo.ok("Get-DataEncryptionPolicy", { Identity: row.Guid });
    expect(byGuid.value[0].Name).toBe("US Mailboxes");
    const all = await exo.ok("Get-DataEncryptionPolicy");
    expect(all.value).toHaveLength(1);
  });

  it("fails with the service's error naming the key when the Exchange principal lacks unwrapKey on one vault", async () => {
    emulator.withLiveState((s) => {
      const entry = s.arm.vaults[vaultB()]!.properties.accessPolicies.find((p) => p.objectId === exchangeSp.objectId)!;
      entry.permissions.keys = ["get", "wrapKey"];
    });
    const exo = await exchangeClient(emulator);
    const reply = await exo.invoke("New-DataEncryptionPolicy", { Name: "EU", AzureKeyIDs: keyIds });
    expect(reply.status).toBe(400);
    const detail = errorDetail(reply);
    expect(detail.exceptionClass).toBe("Microsoft.Exchange.Configuration.Tasks.TaskInvalidOperationException");
    expect(detail.text).toContain(keyIds[1]);
    expect(detail.text).toContain("Office 365 Exchange Online");
    expect(detail.text).toContain(`does not have keys unwrapKey permission on key vault '${vaultB()}`);
    expect((await exo.ok("Get-DataEncryptionPolicy")).value).toEqual([]);
    // Key Vault saw nothing over HTTP: the service principal's calls are in-process.
    grantKeys(emulator, vaultB(), exchangeSp.objectId, ["unwrapKey"]);
    expect((await exo.invoke("New-DataEncryptionPolicy", { Name: "EU", AzureKeyIDs: keyIds })).status).toBe(200);
  });

  it("refuses a 51st DEP", async () => {
    const exo = await exchangeClient(emulator);
    emulator.withLiveState((s) => {
      for (let i = 0; i < 50; i++) {
        s.exchange.policies[`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`] = {
          guid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, name: `dep-${i}`, description: "", enabled: true, azureKeyIds: keyIds,
          envelope: "", availabilityKey: "", state: "Active", whenCreated: new Date().toISOString(), whenChanged: new Date().toISOString(),
        };
      }
    });
    const reply = await exo.invoke("New-DataEncryptionPolicy", { Name: "dep-50", AzureKeyIDs: keyIds });
    expect(reply.status).toBe(400);
    expect(errorDetail(reply).text).toMatch(/maximum number of data encryption policies \(50\)/);
  });
});

describe("mailbox encryption", () => {
  it("shows IsEncrypted and DataEncryptionPolicyID only after the move completes, within 72 hours of clock", async () => {
    const exo = await exchangeClient(emulator);
    const dep = (await exo.ok("New-DataEncryptionPolicy", { Name: "USA", AzureKeyIDs: keyIds })).value[0];
    const mailboxes = emulator.exchange.listMailboxes({ limit: 10 });
    for (const m of mailboxes) await exo.ok("Set-Mailbox", { Identity: m.userPrincipalName, DataEncryptionPolicy: "USA" });
    expect((await exo.ok("Get-Mailbox", { Identity: "user000001" })).value[0].DataEncryptionPolicy).toBe("USA");
    expect((await exo.ok("Get-DataEncryptionPolicy", { Identity: "USA" })).value[0].State).toBe("Active");

    const stats = async () => Promise.all(mailboxes.map(async (m) => (await exo.ok("Get-MailboxStatistics", { Identity: m.name })).value[0]));
    emulator.clock.advance(HOUR);
    expect((await stats()).every((s) => s.IsEncrypted === false && s.DataEncryptionPolicyID === null)).toBe(true);
    emulator.clock.advance(35 * HOUR - HOUR);
    expect((await stats()).some((s) => s.IsEncrypted)).toBe(false);
    emulator.clock.advance(37 * HOUR);
    const done = await stats();
    expect(done.every((s) => s.IsEncrypted === true && s.DataEncryptionPolicyID === dep.Guid)).toBe(true);

    const read = await emulator.exchange.readMailbox("user000001");
    expect(read).toMatchObject({ name: "user000001", content: "Mailbox user000001: Inbox (42 items)", dataEncryptionPolicyId: dep.Guid });
    expect(read.unwrappedWith).toMatch(new RegExp(`^https://kv-exo-${pair}[ab]\\.vault\\.localhost/keys/cmk/[0-9a-f]{32}$`));
  });

  it("uses the configured move duration", async () => {
    emulator.exchange.setMoveDuration(2 * HOUR);
    const exo = await exchangeClient(emulator);
    await exo.ok("New-DataEncryptionPolicy", { Name: "Fast", AzureKeyIDs: keyIds });
    await exo.ok("Set-Mailbox", { Identity: "user000002", DataEncryptionPolicy: "Fast" });
    expect((await exo.ok("Get-MailboxStatistics", { Identity: "user000002" })).value[0].IsEncrypted).toBe(false);
    emulator.clock.advance(2 * HOUR);
    expect((await exo.ok("Get-MailboxStatistics", { Identity: "user000002" })).value[0].IsEncrypted).toBe(true);
  });

  it("assigns a DEP to a mail user", async () => {
    const exo = await exchangeClient(emulator);
    await exo.ok("New-DataEncryptionPolicy", { Name: "Hybrid", AzureKeyIDs: keyIds });
    await exo.ok("Set-MailUser", { Identity: "mailuser000001", DataEncryptionPolicy: "Hybrid" });
    const users = (await exo.ok("Get-MailUser")).value;
    expect(users.map((u: { DataEncryptionPolicy: string | null }) => u.DataEncryptionPolicy)).toEqual(["Hybrid", null]);
  });
});

async function encryptedMailboxes(count: number) {
  const exo = await exchangeClient(emulator);
  const dep = (await exo.ok("New-DataEncryptionPolicy", { Name: "Roll", AzureKeyIDs: keyIds })).value[0];
  const mailboxes = emulator.exchange.listMailboxes({ limit: count });
  for (const m of mailboxes) await exo.ok("Set-Mailbox", { Identity: m.name, DataEncryptionPolicy: "Roll" });
  emulator.clock.advance(72 * HOUR);
  return { exo, dep, mailboxes };
}

describe("refresh, fail-over and availability key", () => {
  it("refresh after a key roll wraps the DEP key under the new versions and leaves mailbox keys alone", async () => {
    const { exo } = await encryptedMailboxes(3);
    for (const m of emulator.exchange.listMailboxes({ limit: 3 })) await emulator.exchange.readMailbox(m.name);
    const sealedBefore = emulator.snapshot().exchange.mailboxes;
    const rolled = await Promise.all([vaultA(), vaultB()].map((v) => keyClient(emulator, v).rotateKey("cmk")));
    const newVersions = rolled.map((k) => k.properties.version!);

    const refreshed = await exo.ok("Set-DataEncryptionPolicy", { Identity: "Roll", Refresh: true });
    expect(refreshed.value).toEqual([]);
    expect(emulator.snapshot().exchange.mailboxes).toEqual(sealedBefore);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add((await emulator.exchange.readMailbox("user000001")).unwrappedWith);
    for (const kid of seen) expect(newVersions.some((v) => kid.endsWith(`/${v}`))).toBe(true);
    expect(seen.size).toBe(2);

    // With the old versions disabled, reads still work: nothing depends on them any more.
    await Promise.all([vaultA(), vaultB()].map(async (v) => {
      const versions = [];
      for await (const p of keyClient(emulator, v).listPropertiesOfKeyVersions("cmk")) versions.push(p);
      const old = versions.find((p) => !newVersions.includes(p.version!))!;
      await keyClient(emulator, v).updateKeyProperties("cmk", old.version!, { enabled: false });
    }));
    expect((await emulator.exchange.readMailbox("user000002")).content).toBe("Mailbox user000002: Inbox (42 items)");
  });

  it("keeps every mailbox readable with vault A down, through vault B", async () => {
    const { mailboxes } = await encryptedMailboxes(5);
    const up = emulator.faults.vaultDown(vaultA());
    try {
      for (const m of mailboxes) {
        const read = await emulator.exchange.readMailbox(m.name);
        expect(read.content).toBe(`Mailbox ${m.name}: Inbox (42 items)`);
        expect(read.unwrappedWith.startsWith(`https://${vaultB()}.vault.localhost/keys/cmk/`)).toBe(true);
      }
    } finally {
      up();
    }
  });

  it("with both vaults unreachable fails user reads and serves system reads from the availability key", async () => {
    await encryptedMailboxes(2);
    const ups = [emulator.faults.vaultDown(vaultA()), emulator.faults.vaultDown(vaultB())];
    await expect(emulator.exchange.readMailbox("user000001")).rejects.toThrow(/No root key could unwrap/);
    const system = await emulator.exchange.readMailbox("user000001", { system: true });
    expect(system).toMatchObject({ unwrappedWith: "availability", content: "Mailbox user000001: Inbox (42 items)" });
    ups.forEach((up) => up());
    expect((await emulator.exchange.readMailbox("user000001")).unwrappedWith).not.toBe("availability");
  });
});

describe("Set-DataEncryptionPolicy", () => {
  it("changes description and Enabled (a disabled DEP cannot be assigned), validates with Confirm:true, and replaces keys", async () => {
    const { exo, dep } = await encryptedMailboxes(1);
    const confirm = await exo.ok("Set-DataEncryptionPolicy", { Identity: "Roll", Description: "changed", Confirm: true });
    expect(confirm["@adminapi.confirmationmessage"]).toMatch(/Set-DataEncryptionPolicy/);
    expect((await exo.ok("Get-DataEncryptionPolicy", { Identity: "Roll" })).value[0].Description).toBe("");
    await exo.ok("Set-DataEncryptionPolicy", { Identity: "Roll", Description: "changed", Enabled: false, Confirm: false });
    expect((await exo.ok("Get-DataEncryptionPolicy", { Identity: dep.Guid })).value[0]).toMatchObject({ Description: "changed", Enabled: false });
    const refused = await exo.invoke("Set-Mailbox", { Identity: "user000003", DataEncryptionPolicy: "Roll" });
    expect(errorDetail(refused).text).toMatch(/is disabled/);
    await exo.ok("Set-DataEncryptionPolicy", { Identity: "Roll", Enabled: true });

    const other = await customerKeyVaults(emulator, [`kv-exo-${pair}c`, `kv-exo-${pair}d`]);
    const mixed = await exo.invoke("Set-DataEncryptionPolicy", { Identity: "Roll", Refresh: true, Replace: true, AzureKeyIDs: other.keyIds });
    expect(errorDetail(mixed).exceptionClass).toBe("Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException");
    await exo.ok("Set-DataEncryptionPolicy", { Identity: "Roll", Replace: true, AzureKeyIDs: other.keyIds });
    expect((await exo.ok("Get-DataEncryptionPolicy", { Identity: "Roll" })).value[0].AzureKeyIDs).toEqual(other.keyIds);
    const read = await emulator.exchange.readMailbox("user000001");
    expect(read.unwrappedWith).toMatch(new RegExp(`^https://kv-exo-${pair}[cd]\\.vault\\.localhost/keys/cmk/`));
    expect(read.content).toBe("Mailbox user000001: Inbox (42 items)");
  });
});

describe("permanent data purge", () => {
  it("is refused while Exchange can reach either vault, accepted once both are revoked, and the DEP can no longer be assigned", async () => {
    const { exo } = await encryptedMailboxes(1);
    const purge = { Identity: "Roll", PermanentDataPurgeRequested: true, PermanentDataPurgeReason: "Leaving the service", PermanentDataPurgeContact: "ciso@contoso.com", Confirm: false };
    const before = await exo.invoke("Set-DataEncryptionPolicy", purge);
    expect(before.status).toBe(400);
    expect(errorDetail(before).text).toMatch(/still has wrapKey access to the Azure Key Vault key/);

    revoke(emulator, vaultA(), exchangeSp.objectId);
    const half = await exo.invoke("Set-DataEncryptionPolicy", purge);
    expect(half.status).toBe(400);
    expect(errorDetail(half).text).toContain(keyIds[1]);

    revoke(emulator, vaultB(), exchangeSp.objectId);
    const accepted = await exo.ok("Set-DataEncryptionPolicy", purge);
    expect(accepted.value).toEqual([]);
    const row = (await exo.ok("Get-DataEncryptionPolicy", { Identity: "Roll" })).value[0];
    expect(row).toMatchObject({ PermanentDataPurgeRequested: true, PermanentDataPurgeReason: "Leaving the service", PermanentDataPurgeContact: "ciso@contoso.com", State: "PendingDeletion" });

    const assign = await exo.invoke("Set-Mailbox", { Identity: "user000005", DataEncryptionPolicy: "Roll" });
    expect(assign.status).toBe(400);
    expect(errorDetail(assign).text).toMatch(/permanent data purge has been requested/);
  });

  it("requires the reason and the contact", async () => {
    const { exo } = await encryptedMailboxes(1);
    const reply = await exo.invoke("Set-DataEncryptionPolicy", { Identity: "Roll", PermanentDataPurgeRequested: true });
    expect(reply.status).toBe(400);
    expect(errorDetail(reply).text).toMatch(/PermanentDataPurgeReason/);
  });
});

describe("multi-workload DEPs", () => {
  it("creates as the M365DataAtRestEncryption principal, assigns one per tenant, tests keys and refuses disabling the assigned one", async () => {
    const admin = emulator.directory.createUser({ userPrincipalName: "compliance" });
    emulator.directory.assignDirectoryRole(admin.objectId, "Compliance Administrator");
    const exo = await exchangeClient(emulator, admin.userPrincipalName);
    expect((await exo.ok("Get-M365DataAtRestEncryptionPolicyAssignment")).value).toEqual([]);
    await exo.ok("New-M365DataAtRestEncryptionPolicy", { Name: "Tenant DEP", AzureKeyIDs: keyIds });
    await exo.ok("New-M365DataAtRestEncryptionPolicy", { Name: "Tenant DEP 2", AzureKeyIDs: keyIds });
    await exo.ok("Set-M365DataAtRestEncryptionPolicyAssignment", { DataEncryptionPolicy: "Tenant DEP" });
    expect((await exo.ok("Get-M365DataAtRestEncryptionPolicyAssignment")).value.map((r: { Name: string }) => r.Name)).toEqual(["Tenant DEP"]);
    await exo.ok("Set-M365DataAtRestEncryptionPolicyAssignment", { DataEncryptionPolicy: "Tenant DEP 2" });
    expect((await exo.ok("Get-M365DataAtRestEncryptionPolicyAssignment")).value.map((r: { Name: string }) => r.Name)).toEqual(["Tenant DEP 2"]);
    const disable = await exo.invoke("Set-M365DataAtRestEncryptionPolicy", { Identity: "Tenant DEP 2", Enabled: false });
    expect(disable.status).toBe(400);

    const tested = await exo.ok("Test-M365DataAtRestEncryptionPolicy", { Identity: "Tenant DEP" });
    expect(tested.value[0].IsValid).toBe(true);
    revoke(emulator, vaultA(), dataAtRestSp.objectId);
    const failing = await exo.ok("Test-M365DataAtRestEncryptionPolicy", { Identity: "Tenant DEP" });
    expect(failing.value[0].IsValid).toBe(false);
    expect(failing.value[0].Results[0]).toMatch(/Failed \(403 Forbidden AccessDenied\)/);
    const refused = await exo.invoke("New-M365DataAtRestEncryptionPolicy", { Name: "Tenant DEP 3", AzureKeyIDs: keyIds });
    expect(errorDetail(refused).text).toContain("M365DataAtRestEncryption");
    // The Exchange principal's access is not what multi-workload DEPs use.
    expect((await exo.invoke("Set-M365DataAtRestEncryptionPolicy", { Identity: "Tenant DEP 2", Refresh: true })).status).toBe(400);
    grantKeys(emulator, vaultA(), dataAtRestSp.objectId, ["get", "wrapKey", "unwrapKey"]);
    expect((await exo.invoke("Set-M365DataAtRestEncryptionPolicy", { Identity: "Tenant DEP 2", Refresh: true })).status).toBe(200);
  });
});

describe("persistence", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("keeps DEPs, moves and mailbox keys across a restart on another port", async () => {
    await emulator.stop();
    const dir = mkdtempSync(join(tmpdir(), "ck-exo-"));
    dirs.push(dir);
    const stateFile = join(dir, "state.json");
    emulator = await startEmulator({ stateFile, exchange: { mailboxes: 30 } });
    ({ keyIds } = await customerKeyVaults(emulator, ["kv-exo-pa", "kv-exo-pb"]));
    const { dep } = await encryptedMailboxes(2);
    await emulator.exchange.readMailbox("user000001");
    const port = emulator.endpoints.port;
    await emulator.stop();

    const file = readFileSync(stateFile, "utf8");
    expect(file).toContain('"exchange"');
    emulator = await startEmulator({ stateFile, exchange: { mailboxes: 5 } });
    expect(emulator.endpoints.port).not.toBe(port);
    expect(emulator.exchange.mailboxCount).toBe(30);
    const exo = await exchangeClient(emulator);
    expect((await exo.ok("Get-MailboxStatistics", { Identity: "user000002" })).value[0]).toMatchObject({ IsEncrypted: true, DataEncryptionPolicyID: dep.Guid });
    expect((await emulator.exchange.readMailbox("user000002")).content).toBe("Mailbox user000002: Inbox (42 items)");
    expect(JSON.stringify(emulator.snapshot().exchange)).not.toMatch(/"availabilityKey":"[A-Za-z0-9_-]{43}"/);
  });
});
