/**
 * client.policies.sharePoint against the emulated SharePoint Online through the real
 * SharePointRestTransport and the real Key Vault / ARM / Graph clients: input refused before any
 * request, live key checks, registration and roll followed to Registered on the emulator clock,
 * one operation at a time, idempotent re-runs, resume without a second request, multi-geo.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, InvalidInputError, PreconditionFailedError, SharePointRestTransport, type SharePointPolicyOperationState } from "../../src/index.js";
import { customerKeyVaults, newKeyVersion } from "../emulator/helpers/sharepoint.js";
import { createTestVault, keyClient } from "../emulator/helpers/vaults.js";

const HOUR = 3_600_000;
let emulator: Emulator;
let geoEmulator: Emulator;

beforeAll(async () => {
  [emulator, geoEmulator] = await Promise.all([startEmulator(), startEmulator({ geos: ["NAM", "EUR"] })]);
});
afterAll(async () => {
  await emulator?.stop();
  await geoEmulator?.stop();
});

/** A client on the emulator; `sharePointAdmin` only when asked, so Graph discovery is exercised otherwise. */
function client(on: Emulator = emulator, withAdminEndpoint = true): CustomerKeyClient {
  const options = on.customerKeyClientOptions();
  return new CustomerKeyClient(on.credential(), {
    ...options,
    endpoints: { resourceManager: options.endpoints.resourceManager, graph: options.endpoints.graph, ...(withAdminEndpoint ? { sharePointAdmin: options.endpoints.sharePointAdmin } : {}) },
    pollIntervalInMs: 5,
    retry: { retryDelayInMs: 5 },
  });
}

const sharePointCalls = (on: Emulator, since: number, operation?: string) =>
  on.requests.list({ service: "sharepoint" }).filter((e) => e.seq > since && (operation === undefined || e.operation === operation));
const lastSeq = (on: Emulator) => on.requests.list().at(-1)?.seq ?? 0;

/** Advances the emulator clock an hour after each poll, so a 4-hour operation finishes in a few polls. */
const hourPerPoll = (on: Emulator, seen: SharePointPolicyOperationState[]) => (state: SharePointPolicyOperationState) => {
  seen.push(structuredClone(state));
  on.clock.advance(HOUR);
};

async function rejection(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("client.policies.sharePoint (single geo)", () => {
  it("refuses bad input before any request: key URIs, the same vault twice, a geo code, a key type", async () => {
    const c = client();
    const since = lastSeq(emulator);
    const vault = emulator.endpoints.vaultUrl("kv-x");
    const bad = [
      () => c.policies.sharePoint.beginRegister({ primaryKeyUri: "not a uri", secondaryKeyUri: `${vault}/keys/k` }),
      () => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${vault}/keys/k/123`, secondaryKeyUri: `${vault}/keys/k2` }),
      () => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${vault}/keys/a`, secondaryKeyUri: `${vault}/keys/b` }),
      () => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${vault}/keys/a`, secondaryKeyUri: `${emulator.endpoints.vaultUrl("kv-y")}/keys/b`, geo: "Europe" }),
      () => c.policies.sharePoint.beginRollKey({ keyType: "availability" as never, keyUri: `${vault}/keys/a` }),
      () => c.policies.sharePoint.get({ geo: "12" }),
    ];
    const codes = [];
    for (const call of bad) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(InvalidInputError);
      codes.push((error as InvalidInputError).code);
    }
    expect(codes).toEqual(["ERR_KEY_ID_INVALID", "ERR_KEY_ID_INVALID", "ERR_KEY_URIS_SAME_VAULT", "ERR_SHAREPOINT_GEO_INVALID", "ERR_SHAREPOINT_KEY_INFO_INVALID", "ERR_SHAREPOINT_GEO_INVALID"]);
    expect(emulator.requests.list().filter((e) => e.seq > since)).toEqual([]);
  });

  it("refuses keys that cannot be root keys, or two vaults in one subscription, without sending to SharePoint", async () => {
    const c = client();
    const sp = emulator.directory.findServicePrincipal("00000003-0000-0ff1-ce00-000000000000")!;
    for (const name of ["sp-same-a", "sp-same-b"]) {
      createTestVault(emulator, { name, subscriptionId: emulator.subscriptionIds[0]!, purgeProtection: true, accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, { objectId: sp.objectId, keys: ["get", "wrapKey", "unwrapKey"] }] });
      await keyClient(emulator, name).createRsaKey("k", { keyOps: ["wrapKey", "unwrapKey"] });
    }
    await keyClient(emulator, "sp-same-b").createRsaKey("signing", { keyOps: ["sign", "verify"] });
    const since = lastSeq(emulator);
    const same = await rejection(() => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-a")}/keys/k`, secondaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-b")}/keys/k` }));
    expect(same).toBeInstanceOf(PreconditionFailedError);
    expect((same as PreconditionFailedError).code).toBe("ERR_KEY_URIS_SAME_SUBSCRIPTION");
    const unusable = await rejection(() => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-a")}/keys/k`, secondaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-b")}/keys/signing` }));
    expect((unusable as PreconditionFailedError).code).toBe("ERR_KEY_URI_UNUSABLE");
    expect(unusable.message).toContain("does not permit wrapKey");
    const missing = await rejection(() => c.policies.sharePoint.beginRegister({ primaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-a")}/keys/nope`, secondaryKeyUri: `${emulator.endpoints.vaultUrl("sp-same-b")}/keys/k` }));
    expect((missing as PreconditionFailedError).code).toBe("ERR_KEY_NOT_FOUND");
    // Only the status read went to SharePoint; no registration.
    expect(sharePointCalls(emulator, since).map((e) => e.operation)).not.toContain("OnboardTenantForBringYourOwnKey");
  });

  it("registers, reports progress to Registered on the emulator clock, re-runs as a no-op, refuses other keys, rolls one key at a time", async () => {
    const c = client();
    const keys = await customerKeyVaults(emulator, "spp");
    const since = lastSeq(emulator);
    const seen: SharePointPolicyOperationState[] = [];
    const versionless = (k: { keyId: string }) => k.keyId.replace(/\/[0-9a-f]{32}$/, "");
    const policy = await c.policies.sharePoint.beginRegister({ primaryKeyUri: versionless(keys.primary), secondaryKeyUri: keys.secondary.keyId, onProgress: hourPerPoll(emulator, seen) });
    expect(policy.state).toBe("Registered");
    expect(policy.progressPercent).toBe(100);
    expect(policy.primaryKeyUri).toBe(keys.primary.keyId);
    expect(policy.secondaryKeyUri).toBe(keys.secondary.keyId);
    // Progress went through Registering with rising percentages; the request went once.
    const registering = seen.filter((s) => s.policyState === "Registering").map((s) => s.progressPercent);
    expect(registering.length).toBeGreaterThanOrEqual(2);
    expect([...registering].sort((a, b) => a - b)).toEqual(registering);
    expect(sharePointCalls(emulator, since, "OnboardTenantForBringYourOwnKey")).toHaveLength(1);
    expect(emulator.sharePoint.tenantStatus().status).toBe("Registered");

    // Again with the same keys: nothing sent. With other keys: a typed conflict.
    const again = lastSeq(emulator);
    expect((await c.policies.sharePoint.beginRegister({ primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId })).state).toBe("Registered");
    const other = await newKeyVersion(emulator, keys.primary.vault, keys.primary.name);
    const conflict = await rejection(() => c.policies.sharePoint.beginRegister({ primaryKeyUri: other.keyId, secondaryKeyUri: keys.secondary.keyId }));
    expect((conflict as PreconditionFailedError).code).toBe("ERR_SHAREPOINT_POLICY_CONFLICT");
    expect(sharePointCalls(emulator, again, "OnboardTenantForBringYourOwnKey")).toHaveLength(0);

    // Roll the primary to the new version; while it runs a second roll is refused before sending.
    const roll = c.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: other.keyId });
    await roll.poll();
    expect(roll.operationState.policyState).toBe("Rolling");
    const beforeSecond = lastSeq(emulator);
    const busy = await rejection(() => c.policies.sharePoint.beginRollKey({ keyType: "secondary", keyUri: keys.secondary.keyId }));
    expect((busy as PreconditionFailedError).code).toBe("ERR_SHAREPOINT_OPERATION_IN_PROGRESS");
    expect(sharePointCalls(emulator, beforeSecond, "RollTenantBringYourOwnKey")).toHaveLength(0);

    // Resumed from its serialized state in a "new process": it only reads status, never rolls again.
    const resumed = client().policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: other.keyId, resumeFrom: await roll.serialize(), onProgress: () => emulator.clock.advance(HOUR) });
    const rolled = await resumed;
    expect(rolled.primaryKeyUri).toBe(other.keyId);
    expect(rolled.secondaryKeyUri).toBe(keys.secondary.keyId);
    expect(sharePointCalls(emulator, since, "RollTenantBringYourOwnKey")).toHaveLength(1);
    // The roll never touched the old version: it is still enabled.
    const old = await keyClient(emulator, keys.primary.vault).getKey(keys.primary.name, { version: keys.primary.version });
    expect(old.properties.enabled).toBe(true);

    // Rolling to the version already in place sends nothing.
    const noop = lastSeq(emulator);
    expect((await c.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri: other.keyId })).primaryKeyUri).toBe(other.keyId);
    expect(sharePointCalls(emulator, noop, "RollTenantBringYourOwnKey")).toHaveLength(0);
  });

  it("recovers a geo in recovery mode, and refuses recovery of one that is not", async () => {
    const c = client();
    const keys = await customerKeyVaults(emulator, "sprc");
    const current = emulator.sharePoint.tenantStatus();
    const notInRecovery = await rejection(() => c.policies.sharePoint.beginRecover({ primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId }));
    expect((notInRecovery as PreconditionFailedError).code).toBe("ERR_SHAREPOINT_NOT_IN_RECOVERY");
    expect(current.status).toBe("Registered");
    emulator.sharePoint.beginRecovery();
    expect((await c.policies.sharePoint.get()).recoveryEnabled).toBe(true);
    const policy = await c.policies.sharePoint.beginRecover({ primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId, onProgress: () => emulator.clock.advance(HOUR) });
    expect(policy).toMatchObject({ state: "Registered", recoveryEnabled: false, primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId });
  });
});

describe("client.policies.sharePoint (multi-geo, geos and admin sites from Graph)", () => {
  it("lists one policy per geo and registers a satellite geo on its own admin site", async () => {
    const c = client(geoEmulator, false);
    const before = await c.policies.sharePoint.list();
    expect(before.map((p) => [p.geo, p.state, p.adminSiteUrl])).toEqual([
      ["NAM", "Unregistered", geoEmulator.sharePoint.adminSiteUrl("NAM")],
      ["EUR", "Unregistered", geoEmulator.sharePoint.adminSiteUrl("EUR")],
    ]);
    const keys = await customerKeyVaults(geoEmulator, "speur");
    const policy = await c.policies.sharePoint.beginRegister({ geo: "eur", primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId, onProgress: () => geoEmulator.clock.advance(HOUR) });
    expect(policy).toMatchObject({ geo: "EUR", state: "Registered", adminSiteUrl: geoEmulator.sharePoint.adminSiteUrl("EUR") });
    expect(geoEmulator.sharePoint.tenantStatus("EUR").status).toBe("Registered");
    expect(geoEmulator.sharePoint.tenantStatus("NAM").status).toBe("Unregistered");
    expect((await c.policies.sharePoint.get()).geo).toBe("NAM");
    const unknown = await rejection(() => c.policies.sharePoint.get({ geo: "APC" }));
    expect((unknown as PreconditionFailedError).code).toBe("ERR_SHAREPOINT_GEO_UNKNOWN");
    expect(unknown.message).toContain("NAM, EUR");
  });

  it("follows a registration whose answer was lost instead of sending it again (or refusing it as another's)", async () => {
    const c = client(geoEmulator, false);
    const keys = await customerKeyVaults(geoEmulator, "splost");
    // The first attempt reached SharePoint, but its answer never came back: the state says "not sent".
    const lost = c.policies.sharePoint.beginRegister({ geo: "NAM", primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId });
    const saved = await lost.serialize();
    const transport = new SharePointRestTransport({ credential: geoEmulator.credential(), adminSiteUrl: geoEmulator.sharePoint.adminSiteUrl("NAM"), ...geoEmulator.clientOptions() });
    await transport.registerTenantKeys({
      PrimaryKeyVault: { VaultName: keys.primary.vault, KeyName: keys.primary.name, KeyVersion: keys.primary.version, Uri: keys.primary.keyId },
      SecondaryKeyVault: { VaultName: keys.secondary.vault, KeyName: keys.secondary.name, KeyVersion: keys.secondary.version, Uri: keys.secondary.keyId },
    });
    const since = lastSeq(geoEmulator);
    const policy = await c.policies.sharePoint.beginRegister({ geo: "NAM", primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId, resumeFrom: saved, onProgress: () => geoEmulator.clock.advance(HOUR) });
    expect(policy).toMatchObject({ geo: "NAM", state: "Registered", primaryKeyUri: keys.primary.keyId });
    expect(sharePointCalls(geoEmulator, since, "OnboardTenantForBringYourOwnKey")).toHaveLength(0);
  });

  it("follows a registration whose connection dropped after SharePoint took it (no second request, no failure)", async () => {
    const fresh = await startEmulator();
    try {
      const c = client(fresh);
      const keys = await customerKeyVaults(fresh, "spreset");
      // The service runs the request, then the connection closes before its answer is written.
      fresh.faults.inject({ service: "sharepoint", path: "OnboardTenantForBringYourOwnKey", stage: "response", mode: "reset", count: 1 });
      const policy = await c.policies.sharePoint.beginRegister({ primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId, onProgress: () => fresh.clock.advance(HOUR) });
      expect(policy).toMatchObject({ state: "Registered", primaryKeyUri: keys.primary.keyId });
      const sent = sharePointCalls(fresh, 0).filter((e) => e.path.includes("OnboardTenantForBringYourOwnKey"));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.fault).toBe("reset");
    } finally {
      await fresh.stop();
    }
  });
});
