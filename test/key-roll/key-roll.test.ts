/**
 * client.beginRollRootKey end to end on the emulator, through the real Key Vault, ARM, Graph,
 * Exchange REST and SharePoint REST clients: a new version, its backup, every DEP using the key
 * refreshed (and only those), SharePoint rolled and followed on the emulator clock, a resume that
 * makes no second version (also after a lost roll answer), and waiting while SharePoint is busy.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MICROSOFT_365_APPS, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, ExchangeRestTransport, type KeyRollOperationState } from "../../src/index.js";
import { createTestVault, keyClient } from "../emulator/helpers/vaults.js";
import { tempDir } from "../client/keys-fixtures.js";

const HOUR = 3_600_000;
let emulator: Emulator;
let run = 0;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

function client(): CustomerKeyClient {
  return new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 5, retry: { retryDelayInMs: 5 } });
}

function exchange(): ExchangeRestTransport {
  return new ExchangeRestTransport({ credential: emulator.credential(), tenantId: emulator.tenantId, endpoint: emulator.endpoints.exchange, ...emulator.clientOptions(), retry: { retryDelayInMs: 5 } });
}

interface Setup {
  vaults: [string, string];
  keyUri: (vault: string, name: string) => string;
  deps: { mailbox: string; multiWorkload: string; unrelated: string };
}

/**
 * Two vaults in two subscriptions, keys `cmk` and `other` in each, the three workload principals
 * granted; a mailbox DEP and a multi-workload DEP on `cmk`, one DEP on `other`, and SharePoint
 * registered with `cmk` (primary in vault a).
 */
async function setUp(): Promise<Setup> {
  run++;
  const principals = [MICROSOFT_365_APPS.exchangeOnline, MICROSOFT_365_APPS.dataAtRestEncryption, MICROSOFT_365_APPS.sharePointOnline].map((app) => emulator.directory.findServicePrincipal(app.appId)!);
  const vaults: [string, string] = [`kr${run}-a`, `kr${run}-b`];
  for (const [i, name] of vaults.entries()) {
    createTestVault(emulator, {
      name,
      subscriptionId: emulator.subscriptionIds[i]!,
      purgeProtection: true,
      sku: "premium",
      accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, ...principals.map((p) => ({ objectId: p.objectId, keys: ["get", "wrapKey", "unwrapKey"] }))],
    });
    for (const key of ["cmk", "other"]) await keyClient(emulator, name).createRsaKey(key, { keyOps: ["wrapKey", "unwrapKey"], hsm: true });
  }
  const keyUri = (vault: string, name: string) => `${emulator.endpoints.vaultUrl(vault)}/keys/${name}`;
  const deps = { mailbox: `dep-${run}`, multiWorkload: `mw-${run}`, unrelated: `dep-other-${run}` };
  const exo = exchange();
  await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: deps.mailbox, AzureKeyIDs: vaults.map((v) => keyUri(v, "cmk")) } });
  await exo.invoke({ cmdlet: "New-M365DataAtRestEncryptionPolicy", parameters: { Name: deps.multiWorkload, AzureKeyIDs: vaults.map((v) => keyUri(v, "cmk")) } });
  await exo.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: deps.unrelated, AzureKeyIDs: vaults.map((v) => keyUri(v, "other")) } });
  const sp = emulator.sharePoint.tenantStatus();
  if (sp.status === "Unregistered") {
    await client().policies.sharePoint.beginRegister({ primaryKeyUri: keyUri(vaults[0], "cmk"), secondaryKeyUri: keyUri(vaults[1], "cmk"), onProgress: () => emulator.clock.advance(HOUR) });
  } else {
    // Later tests: move SharePoint onto this run's keys, one key at a time.
    await client().policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: keyUri(vaults[0], "cmk"), onProgress: () => emulator.clock.advance(HOUR) });
    await client().policies.sharePoint.beginRollKey({ keyType: "secondary", keyUri: keyUri(vaults[1], "cmk"), onProgress: () => emulator.clock.advance(HOUR) });
  }
  return { vaults, keyUri, deps };
}

async function versions(vault: string, name: string): Promise<{ version: string; enabled: boolean }[]> {
  const out = [];
  for await (const p of keyClient(emulator, vault).listPropertiesOfKeyVersions(name)) out.push({ version: p.version!, enabled: p.enabled !== false });
  return out;
}

const setCalls = (since: number) =>
  emulator.requests.list({ service: "exchange" }).filter((e) => e.seq > since && /^Set-/.test(e.operation ?? "")).map((e) => e.operation);
const lastSeq = () => emulator.requests.list().at(-1)?.seq ?? 0;

describe("client.beginRollRootKey", () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp();
  });

  it("rolls the key, backs it up, refreshes every DEP using it (only those), rolls SharePoint and confirms each workload", async () => {
    const { vaults, keyUri, deps } = setup;
    const before = await versions(vaults[0], "cmk");
    const since = lastSeq();
    const directory = tempDir("ck-roll-");
    const steps: string[] = [];
    const result = await client().beginRollRootKey(keyUri(vaults[0], "cmk"), {
      backupDirectory: directory,
      updateIntervalInMs: 1,
      onProgress: (state) => {
        steps.push(state.step);
        emulator.clock.advance(HOUR);
      },
    });
    const after = await versions(vaults[0], "cmk");
    expect(after).toHaveLength(before.length + 1);
    expect(after.every((v) => v.enabled)).toBe(true); // the old version is never disabled
    const newVersion = result.newKeyUri.split("/").pop()!;
    expect(result.previousKeyUri).toBe(`${keyUri(vaults[0], "cmk")}/${before[0]!.version}`);
    expect(after.map((v) => v.version)).toContain(newVersion);

    // The backup holds the new version and is listed in the manifest.
    expect(existsSync(result.backupFile)).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8")) as { backups: { file: string; newestVersion: string }[] };
    expect(manifest.backups.find((b) => path.join(directory, b.file) === result.backupFile)?.newestVersion).toBe(newVersion);

    // Policies: both DEPs on cmk and SharePoint's primary, all confirmed; the DEP on `other` untouched.
    expect(result.policies.map((p) => [p.workload, p.policy, p.keyType ?? null, p.status])).toEqual([
      ["exchange", deps.mailbox, null, "confirmed"],
      ["multiWorkload", deps.multiWorkload, null, "confirmed"],
      ["sharePoint", "", "primary", "confirmed"],
    ]);
    // Exchange reports no key version: the refresh is seen landing as WhenChanged moving.
    for (const p of result.policies.filter((p) => p.workload !== "sharePoint")) {
      expect(p.changedBefore).toBeDefined();
      expect(p.changedAfter! > p.changedBefore!).toBe(true);
    }
    expect(setCalls(since).sort()).toEqual(["Set-DataEncryptionPolicy", "Set-M365DataAtRestEncryptionPolicy"]);
    const refreshed = emulator.requests.list({ service: "exchange" }).filter((e) => e.seq > since && e.operation === "Set-DataEncryptionPolicy");
    expect(refreshed).toHaveLength(1);
    expect(emulator.sharePoint.tenantStatus()).toMatchObject({ status: "Registered", primaryKeyVaultUri: result.newKeyUri });
    expect(emulator.requests.list({ service: "sharepoint" }).filter((e) => e.seq > since && e.operation === "RollTenantBringYourOwnKey")).toHaveLength(1);
    // Every step was reported, in order.
    expect([...new Set(steps)]).toEqual(["rollKey", "backup", "discover", "update", "awaitWorkloads", "verify", "done"]);
  });

  it("resumes from its serialized state without a second version, also when the roll's answer was lost", async () => {
    const { vaults, keyUri } = setup;
    const before = await versions(vaults[0], "cmk");
    const directory = tempDir("ck-roll-");
    const first = client().beginRollRootKey(keyUri(vaults[0], "cmk"), { backupDirectory: directory });
    await first.poll(); // records the current version
    const saved = await first.serialize();
    // The version is made, but the process dies before its answer is recorded (a lost answer).
    await keyClient(emulator, vaults[0]).createRsaKey("cmk", { keyOps: ["wrapKey", "unwrapKey"], hsm: true });
    const resumed = client().beginRollRootKey(keyUri(vaults[0], "cmk"), { backupDirectory: directory, resumeFrom: saved, updateIntervalInMs: 1, onProgress: () => emulator.clock.advance(HOUR) });
    await resumed.poll();
    expect(resumed.operationState.newVersion).toBeDefined();
    const mid = await resumed.serialize();
    // And once more from the middle, in another "process".
    const result = await client().beginRollRootKey(keyUri(vaults[0], "cmk"), { backupDirectory: directory, resumeFrom: mid, updateIntervalInMs: 1, onProgress: () => emulator.clock.advance(HOUR) });
    const after = await versions(vaults[0], "cmk");
    expect(after).toHaveLength(before.length + 1);
    expect(result.newKeyUri.split("/").pop()).toBe(resumed.operationState.newVersion);
    expect(emulator.sharePoint.tenantStatus().primaryKeyVaultUri).toBe(result.newKeyUri);
    // A state of another key's roll is refused.
    expect(() => client().beginRollRootKey(keyUri(vaults[1], "cmk"), { backupDirectory: directory, resumeFrom: mid })).toThrow(/resumeFrom belongs to the roll of/);
  });

  it("waits while SharePoint runs another roll, then rolls; refuses a missing backup directory before any request", async () => {
    const { vaults, keyUri } = setup;
    const since = lastSeq();
    expect(() => client().beginRollRootKey(keyUri(vaults[0], "cmk"), { backupDirectory: "" })).toThrow(expect.objectContaining({ code: "ERR_BACKUP_DIRECTORY_REQUIRED" }));
    expect(() => client().beginRollRootKey("https://nope", { backupDirectory: "x" })).toThrow(expect.objectContaining({ code: "ERR_KEY_ID_INVALID" }));
    expect(emulator.requests.list().filter((e) => e.seq > since)).toEqual([]);

    // Someone rolls SharePoint's secondary key (a new version of vault b's key): SharePoint is busy for 4 h.
    const other = await keyClient(emulator, vaults[1]).createRsaKey("cmk", { keyOps: ["wrapKey", "unwrapKey"], hsm: true });
    const theirs = client().policies.sharePoint.beginRollKey({ keyType: "secondary", keyUri: other.id! });
    await theirs.poll();
    expect(emulator.sharePoint.tenantStatus().status).toBe("Rolling");

    const seen: KeyRollOperationState[] = [];
    const result = await client().beginRollRootKey(keyUri(vaults[0], "cmk"), {
      backupDirectory: tempDir("ck-roll-"),
      updateIntervalInMs: 1,
      onProgress: (state) => {
        seen.push(structuredClone(state));
        emulator.clock.advance(HOUR / 2);
      },
    });
    expect(seen.some((s) => s.policies.some((p) => p.workload === "sharePoint" && p.status === "waiting"))).toBe(true);
    expect(emulator.sharePoint.tenantStatus()).toMatchObject({ status: "Registered", primaryKeyVaultUri: result.newKeyUri, secondaryKeyVaultUri: other.id });
  });

  it("stops on abort with the work done kept, and resumes from there", async () => {
    const { vaults, keyUri } = setup;
    const before = await versions(vaults[0], "cmk");
    const controller = new AbortController();
    const poller = client().beginRollRootKey(keyUri(vaults[0], "cmk"), {
      backupDirectory: tempDir("ck-roll-"),
      abortSignal: controller.signal,
      updateIntervalInMs: 1,
      onProgress: (state) => {
        if (state.step === "update") controller.abort();
      },
    });
    await expect(poller.pollUntilDone()).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(poller.operationState.step).toBe("update");
    const result = await client().beginRollRootKey(keyUri(vaults[0], "cmk"), { backupDirectory: tempDir("ck-roll-"), resumeFrom: await poller.serialize(), updateIntervalInMs: 1, onProgress: () => emulator.clock.advance(HOUR) });
    expect(await versions(vaults[0], "cmk")).toHaveLength(before.length + 1);
    expect(result.policies.every((p) => p.status === "confirmed")).toBe(true);
  });
});
