import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MICROSOFT_365_APPS, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { callSite, customerKeyVaults, newKeyVersion, sharePointToken } from "./helpers/sharepoint.js";

const SP_EXCEPTION = "-2146232832, Microsoft.SharePoint.SPException";

let emulator: Emulator;
let admin: string;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  admin = emulator.endpoints.sharePointAdmin;
  token = await sharePointToken(emulator, emulator.admin.userPrincipalName, admin);
});
afterAll(() => emulator?.stop());

/** Status and progress; progress to whole percent, as the emulator clock runs on with wall time between calls. */
const status = (body: Record<string, unknown>) => ({ Status: body["Status"], RegistrationProgress: Math.floor(body["RegistrationProgress"] as number) });

describe("emulated SharePoint Online: tenant Customer Key through _api/site", () => {
  it("serves the admin site at {tenant}-admin.sharepoint.localhost and reports an Unregistered tenant in the three OData modes", async () => {
    expect(new URL(admin).hostname).toBe("contoso-admin.sharepoint.localhost");
    const minimal = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(minimal.status).toBe(200);
    expect(minimal.headers["content-type"]).toBe("application/json;odata=minimalmetadata;streaming=true;charset=utf-8");
    expect(minimal.body).toEqual({
      "odata.metadata": `${admin}/_api/$metadata#SP.CustomerKeyStatusInfo`,
      AvailabilityKeyVaultUri: null,
      PrimaryKeyVaultUri: null,
      RecoveryEnabled: false,
      RegistrationProgress: 0,
      SecondaryKeyVaultUri: null,
      Status: 0,
    });
    const verbose = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token, odata: "verbose" });
    expect(verbose.body.d.GetBringYourOwnKeyTenantStatus).toMatchObject({ __metadata: { type: "SP.CustomerKeyStatusInfo" }, Status: 0 });
    const none = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token, odata: "nometadata", httpMethod: "GET" });
    expect(Object.keys(none.body).sort()).toEqual(["AvailabilityKeyVaultUri", "PrimaryKeyVaultUri", "RecoveryEnabled", "RegistrationProgress", "SecondaryKeyVaultUri", "Status"]);
    const mode = await callSite(emulator, admin, "GetBringYourOwnKeyRecoveryKeyMode", { token, odata: "nometadata" });
    expect(mode.body).toEqual({ value: 0 });
    expect(emulator.sharePoint.tenantStatus().status).toBe("Unregistered");
  });

  it("refuses a roll before registration, and site status before registration, with SPException", async () => {
    const rollEarly = await callSite(emulator, admin, "RollTenantBringYourOwnKey", { token, body: { keyType: 0, keyVaultInfo: { Uri: "https://x-a.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef" } } });
    expect(rollEarly.status).toBe(500);
    expect(rollEarly.body["odata.error"]).toMatchObject({ code: SP_EXCEPTION, message: { lang: "en-US", value: expect.stringContaining("not registered") } });
    const site = await callSite(emulator, emulator.sharePoint.sites()[1]!.url, "GetBringYourOwnKeySiteStatus", { token });
    expect(site.status).toBe(500);
    expect(site.body["odata.error"].code).toBe(SP_EXCEPTION);
  });

  it("refuses keys in one vault, a versionless key, and a missing or unknown parameter", async () => {
    const keys = await customerKeyVaults(emulator, "spcheck");
    const sameVault = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.primary.keyId } } },
    });
    expect(sameVault.status).toBe(500);
    expect(sameVault.body["odata.error"].message.value).toMatch(/two different key vaults/);
    const versionless = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId.replace(/\/[0-9a-f]{32}$/, "") }, SecondaryKeyVault: { Uri: keys.secondary.keyId } } },
    });
    expect(versionless.body["odata.error"].message.value).toMatch(/must name a key version/);
    const missing = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body["odata.error"].code).toBe("-1, Microsoft.SharePoint.Client.InvalidClientQueryException");
    const unknown = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo: {}, extra: 1 } });
    expect(unknown.body["odata.error"].message.value).toBe("The parameter extra does not exist in method OnboardTenantForBringYourOwnKey.");
    expect(emulator.sharePoint.tenantStatus().status).toBe("Unregistered");
  });

  it("fails registration with the service's error when SharePoint Online lacks unwrapKey on one vault, and changes nothing", async () => {
    const keys = await customerKeyVaults(emulator, "spdeny", { grantSharePoint: { primary: ["get", "wrapKey", "unwrapKey"], secondary: ["get", "wrapKey"] } });
    const denied = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.secondary.keyId } } },
    });
    expect(denied.status).toBe(500);
    expect(denied.body["odata.error"].code).toBe(SP_EXCEPTION);
    expect(denied.body["odata.error"].message.value).toMatch(/Secondary key .* Azure Key Vault answered AccessDenied: .*does not have keys unwrapKey permission/);
    expect(denied.body["odata.error"].message.value).toContain(`appid=${MICROSOFT_365_APPS.sharePointOnline.appId}`);
    expect(emulator.sharePoint.tenantStatus()).toMatchObject({ status: "Unregistered", primaryKeyVaultUri: null });
  });

  it("registers on the emulator clock: Registering with progress, a second register refused, then Registered; sites follow one after the other", async () => {
    emulator.sharePoint.setBehaviour({ registrationDurationMs: 8 * 3_600_000, rollDurationMs: 4 * 3_600_000 });
    const keys = await customerKeyVaults(emulator, "spreg");
    const keyInfo = {
      PrimaryKeyVault: { VaultName: keys.primary.vault, KeyName: keys.primary.name, KeyVersion: guidOf(keys.primary.version) },
      SecondaryKeyVault: { Uri: keys.secondary.keyId },
    };
    const started = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      Status: 1,
      RegistrationProgress: 0,
      PrimaryKeyVaultUri: `${emulator.endpoints.vaultUrl(keys.primary.vault)}/keys/spo-root/${keys.primary.version}`,
      SecondaryKeyVaultUri: keys.secondary.keyId,
    });
    const again = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo } });
    expect(again.status).toBe(500);
    expect(again.body["odata.error"].message.value).toMatch(/registration is in progress/);

    const sites = emulator.sharePoint.sites();
    expect(sites.map((s) => new URL(s.url).pathname)).toEqual(["/", "/sites/hr", "/sites/finance", "/sites/legal"]);
    emulator.clock.advance({ hours: 3 });
    const partway = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(status(partway.body)).toEqual({ Status: 1, RegistrationProgress: 37 });
    // 3 of 8 hours: the first of four sites is done (at 2 h), the second is not (at 4 h).
    const first = await callSite(emulator, sites[0]!.url, "GetBringYourOwnKeySiteStatus", { token });
    expect(status(first.body)).toEqual({ Status: 2, RegistrationProgress: 100 });
    const second = await callSite(emulator, sites[1]!.url, "GetBringYourOwnKeySiteStatus", { token });
    expect(status(second.body)).toEqual({ Status: 1, RegistrationProgress: 0 });

    emulator.clock.advance({ hours: 5 });
    const done = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(status(done.body)).toEqual({ Status: 2, RegistrationProgress: 100 });
    const registeredAgain = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo } });
    expect(registeredAgain.body["odata.error"].message.value).toMatch(/already registered/);
    const legal = await callSite(emulator, sites[3]!.url, "GetBringYourOwnKeySiteStatus", { token, odata: "verbose" });
    expect(legal.body.d.GetBringYourOwnKeySiteStatus).toMatchObject({ Status: 2, SecondaryKeyVaultUri: keys.secondary.keyId });
  });

  it("rolls one key at a time: Rolling with progress, a second roll refused, sites report the old key until their turn", async () => {
    const before = emulator.sharePoint.tenantStatus();
    const primaryVault = new URL(before.primaryKeyVaultUri!).hostname.split(".")[0]!;
    const next = await newKeyVersion(emulator, primaryVault, "spo-root");
    const secondaryVault = new URL(before.secondaryKeyVaultUri!).hostname.split(".")[0]!;
    const other = await newKeyVersion(emulator, secondaryVault, "spo-root");
    const rolled = await callSite(emulator, admin, "RollTenantBringYourOwnKey", { token, body: { keyType: 0, keyVaultInfo: { Uri: next.keyId } } });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ Status: 3, RegistrationProgress: 0, PrimaryKeyVaultUri: next.keyId });

    const secondRoll = await callSite(emulator, admin, "RollTenantBringYourOwnKey", { token, body: { keyType: 1, keyVaultInfo: { Uri: other.keyId } } });
    expect(secondRoll.status).toBe(500);
    expect(secondRoll.body["odata.error"]).toEqual({
      code: SP_EXCEPTION,
      message: { lang: "en-US", value: expect.stringContaining("only allows you to roll one key at a time") },
    });
    const register = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo: {} } });
    expect(register.status).toBe(500);

    emulator.clock.advance({ hours: 1, minutes: 30 });
    const partway = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(status(partway.body)).toEqual({ Status: 3, RegistrationProgress: 37 });
    const sites = emulator.sharePoint.sites();
    expect(emulator.sharePoint.siteStatus(sites[0]!.url)).toMatchObject({ status: "Registered", primaryKeyVaultUri: next.keyId });
    expect(emulator.sharePoint.siteStatus(sites[2]!.url)).toMatchObject({ status: "Rolling", primaryKeyVaultUri: before.primaryKeyVaultUri });

    emulator.clock.advance({ hours: 3 });
    expect(emulator.sharePoint.tenantStatus()).toMatchObject({ status: "Registered", registrationProgress: 100, primaryKeyVaultUri: next.keyId });
    const nowSecond = await callSite(emulator, admin, "RollTenantBringYourOwnKey", { token, body: { keyType: "Secondary", keyVaultInfo: { Uri: other.keyId } } });
    expect(nowSecond.body.Status).toBe(3);
    const sameVault = await callSite(emulator, admin, "RollTenantBringYourOwnKey", { token, body: { keyType: 2, keyVaultInfo: { Uri: next.keyId } } });
    expect(sameVault.body["odata.error"].message.value).toMatch(/roll one key at a time/);
    emulator.clock.advance({ hours: 4 });
    expect(emulator.sharePoint.tenantStatus()).toMatchObject({ status: "Registered", secondaryKeyVaultUri: other.keyId });
  });

  it("recovers only in recovery mode", async () => {
    const refused = await callSite(emulator, admin, "RecoverTenantForBringYourOwnKey", { token, body: { keyInfo: {} } });
    expect(refused.body["odata.error"].message.value).toMatch(/not in customer key recovery mode/);
    emulator.sharePoint.beginRecovery();
    const recovering = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(recovering.body).toMatchObject({ Status: 4, RecoveryEnabled: true });
    const keys = await customerKeyVaults(emulator, "sprec");
    const recovered = await callSite(emulator, admin, "RecoverTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.secondary.keyId } } },
    });
    expect(recovered.body).toMatchObject({ Status: 1, RecoveryEnabled: false, PrimaryKeyVaultUri: keys.primary.keyId });
    emulator.clock.advance({ hours: 8 });
    expect(emulator.sharePoint.tenantStatus().status).toBe("Registered");
  });

  it("logs method names and never parameter values", () => {
    const entries = emulator.requests.list({ service: "sharepoint" });
    expect(entries.map((e) => e.operation)).toEqual(expect.arrayContaining(["OnboardTenantForBringYourOwnKey", "RollTenantBringYourOwnKey", "GetBringYourOwnKeySiteStatus"]));
    const logged = JSON.stringify(entries);
    expect(logged).not.toContain("spo-root");
    expect(logged).not.toContain("vault.");
    expect(JSON.stringify(emulator.snapshot().sharePoint)).not.toMatch(/"wrappedTenantKey":"(?!\[redacted\])/);
  });
});

/** A 32-hex key version as a dashed Guid, as `SP.CustomerKeyVaultInfo.KeyVersion` (Edm.Guid) carries it. */
function guidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
