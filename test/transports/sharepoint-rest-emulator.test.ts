/**
 * SharePointRestTransport against the emulated SharePoint Online admin site, over real HTTPS with
 * tokens from the emulated Entra ID: every method, the status mapping, the one-roll-at-a-time
 * refusal as its own code, other refusals typed, 429 and 503 retried, abort, input refused before
 * sending.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  InvalidInputError,
  OperationAbortedError,
  SharePointRequestError,
  SharePointRestTransport,
  type CustomerKeyInfo,
  type CustomerKeyLogger,
  type CustomerKeyVaultInfo,
  type SharePointRestTransportOptions,
} from "../../src/index.js";
import { customerKeyVaults, newKeyVersion } from "../emulator/helpers/sharepoint.js";

let emulator: Emulator;
const lines: string[] = [];
const logger: CustomerKeyLogger = { info: (l) => lines.push(l), warning: (l) => lines.push(l), verbose: (l) => lines.push(l), error: (l) => lines.push(l) };

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sharePoint.setBehaviour({ registrationDurationMs: 8 * 3_600_000, rollDurationMs: 4 * 3_600_000 });
});
afterAll(() => emulator?.stop());

function transport(options: Partial<SharePointRestTransportOptions> = {}): SharePointRestTransport {
  return new SharePointRestTransport({
    credential: emulator.credentialFor(emulator.admin.userPrincipalName),
    adminSiteUrl: emulator.endpoints.sharePointAdmin,
    ...emulator.clientOptions(),
    retry: { retryDelayInMs: 5 },
    logger,
    ...options,
  });
}

const vaultInfo = (key: { vault: string; name: string; version: string }): CustomerKeyVaultInfo => ({
  VaultName: key.vault,
  KeyName: key.name,
  KeyVersion: key.version,
  Uri: `${emulator.endpoints.vaultUrl(key.vault)}/`,
});

const sharePointRequests = (since: number) => emulator.requests.list({ service: "sharepoint" }).filter((e) => e.seq >= since);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("SharePointRestTransport against the emulator", () => {
  let keyInfo: CustomerKeyInfo;

  it("reads an Unregistered tenant as CustomerKeyStatusInfo", async () => {
    expect(await transport().getTenantKeyStatus()).toEqual({
      Status: "Unregistered",
      StatusCode: 0,
      RegistrationProgress: "0",
      PrimaryKeyVaultUri: "",
      SecondaryKeyVaultUri: "",
      AvailabilityKeyVaultUri: "",
      RecoveryEnabled: false,
    });
  });

  it("refuses a site's status before registration at once: the service's 500 SPException is its verdict, not sent again", async () => {
    const since = emulator.requests.size;
    const started = Date.now();
    const error = (await rejection(transport({ retry: { retryDelayInMs: 2000 } }).getSiteKeyStatus(emulator.sharePoint.sites()[1]!.url))) as SharePointRequestError;
    expect(error).toMatchObject({ code: "ERR_SHAREPOINT_REQUEST_FAILED", method: "GetBringYourOwnKeySiteStatus", statusCode: 500, exceptionClass: "Microsoft.SharePoint.SPException" });
    expect(sharePointRequests(since)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("registers, refuses a second registration as in progress, reaches Registered, and reads a site", async () => {
    const keys = await customerKeyVaults(emulator, "sprest");
    keyInfo = { PrimaryKeyVault: vaultInfo(keys.primary), SecondaryKeyVault: vaultInfo(keys.secondary) };
    const sp = transport();
    const started = await sp.registerTenantKeys(keyInfo);
    expect(started).toMatchObject({
      Status: "Registering",
      StatusCode: 1,
      PrimaryKeyVaultUri: `${emulator.endpoints.vaultUrl(keys.primary.vault)}/keys/spo-root/${keys.primary.version}`,
      SecondaryKeyVaultUri: `${emulator.endpoints.vaultUrl(keys.secondary.vault)}/keys/spo-root/${keys.secondary.version}`,
    });
    const since = emulator.requests.size;
    const again = (await rejection(sp.registerTenantKeys(keyInfo))) as SharePointRequestError;
    expect(again).toBeInstanceOf(SharePointRequestError);
    expect(again).toMatchObject({
      code: "ERR_SHAREPOINT_OPERATION_IN_PROGRESS",
      method: "OnboardTenantForBringYourOwnKey",
      operation: "sharepoint.registerTenantKeys",
      hresult: -2146232832,
      exceptionClass: "Microsoft.SharePoint.SPException",
      statusCode: 500,
    });
    // A refusal of a registration is not sent twice (a 500 may mean it ran).
    expect(sharePointRequests(since)).toHaveLength(1);

    emulator.clock.advance({ hours: 3 });
    const partway = await sp.getTenantKeyStatus();
    expect(partway.Status).toBe("Registering");
    expect(Number(partway.RegistrationProgress)).toBeGreaterThan(30);
    emulator.clock.advance({ hours: 6 });
    expect(await sp.getTenantKeyStatus()).toMatchObject({ Status: "Registered", StatusCode: 2, RegistrationProgress: "100" });
    const site = emulator.sharePoint.sites()[1]!;
    expect(await sp.getSiteKeyStatus(site.url)).toMatchObject({ Status: "Registered", PrimaryKeyVaultUri: started.PrimaryKeyVaultUri });
  });

  it("rolls one key (keyType primary = 0) and refuses a second roll while the first runs", async () => {
    const sp = transport();
    const before = await sp.getTenantKeyStatus();
    const primaryVault = new URL(before.PrimaryKeyVaultUri).hostname.split(".")[0]!;
    const secondaryVault = new URL(before.SecondaryKeyVaultUri).hostname.split(".")[0]!;
    const next = await newKeyVersion(emulator, primaryVault, "spo-root");
    const other = await newKeyVersion(emulator, secondaryVault, "spo-root");
    const rolled = await sp.rollTenantKey("primary", { VaultName: primaryVault, KeyName: "spo-root", KeyVersion: next.version, Uri: next.keyId });
    expect(rolled).toMatchObject({ Status: "Rolling", StatusCode: 3, PrimaryKeyVaultUri: next.keyId });
    const second = (await rejection(sp.rollTenantKey("secondary", { VaultName: secondaryVault, KeyName: "spo-root", KeyVersion: other.version, Uri: other.keyId }))) as SharePointRequestError;
    expect(second.code).toBe("ERR_SHAREPOINT_OPERATION_IN_PROGRESS");
    expect(second.message).toMatch(/^RollTenantBringYourOwnKey failed: .*one key at a time/);
    emulator.clock.advance({ hours: 5 });
    expect((await sp.getTenantKeyStatus()).Status).toBe("Registered");
  });

  it("recovers a tenant in recovery mode, and refuses recovery otherwise with the generic code", async () => {
    const sp = transport();
    const notInRecovery = (await rejection(sp.recoverTenantKeys(keyInfo))) as SharePointRequestError;
    expect(notInRecovery).toMatchObject({ code: "ERR_SHAREPOINT_REQUEST_FAILED", exceptionClass: "Microsoft.SharePoint.SPException" });
    emulator.sharePoint.beginRecovery();
    expect((await sp.getTenantKeyStatus()).RecoveryEnabled).toBe(true);
    const status = await sp.getTenantKeyStatus();
    const current: CustomerKeyInfo = {
      PrimaryKeyVault: { VaultName: new URL(status.PrimaryKeyVaultUri).hostname.split(".")[0]!, KeyName: "spo-root", KeyVersion: status.PrimaryKeyVaultUri.slice(-32), Uri: status.PrimaryKeyVaultUri },
      SecondaryKeyVault: { VaultName: new URL(status.SecondaryKeyVaultUri).hostname.split(".")[0]!, KeyName: "spo-root", KeyVersion: status.SecondaryKeyVaultUri.slice(-32), Uri: status.SecondaryKeyVaultUri },
    };
    const recovered = await sp.recoverTenantKeys(current);
    // The emulator re-registers the restored keys (Registering, on its clock).
    expect(["Recovering", "Registering", "Registered"]).toContain(recovered.Status);
    expect(recovered.PrimaryKeyVaultUri).toBe(status.PrimaryKeyVaultUri);
    emulator.clock.advance({ hours: 10 });
  });

  it("says the caller needs the SharePoint Administrator role when refused", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "sp-reader" });
    const error = (await rejection(transport({ credential: emulator.credentialFor(user.userPrincipalName) }).getTenantKeyStatus())) as SharePointRequestError;
    expect(error).toMatchObject({ code: "ERR_SHAREPOINT_FORBIDDEN", statusCode: 403, exceptionClass: "System.UnauthorizedAccessException" });
    expect(error.message).toMatch(/SharePoint Administrator/);
  });

  it("retries 429 after Retry-After and 503, for reads and for a roll (neither ran)", async () => {
    const sp = transport();
    await sp.getTenantKeyStatus(); // token cached before the throttle counts
    emulator.throttle.set("sharepoint", { requestsPerSecond: 1, burst: 1 });
    try {
      await sp.getTenantKeyStatus();
      const since = emulator.requests.size;
      const started = Date.now();
      expect((await sp.getTenantKeyStatus()).Status).toBeDefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(sharePointRequests(since).map((e) => e.status)).toEqual([429, 200]);
    } finally {
      emulator.throttle.set("sharepoint", undefined);
    }
    emulator.faults.inject({ service: "sharepoint", status: 503, retryAfterSeconds: 0, count: 1 });
    const since = emulator.requests.size;
    // Back to the first primary key version: the 503 is retried (nothing ran), then the roll runs once.
    const rolled = await sp.rollTenantKey("primary", keyInfo.PrimaryKeyVault);
    expect(sharePointRequests(since).map((e) => e.status)).toEqual([503, 200]);
    expect(rolled.Status).toBe("Rolling");
  });

  it("stops when the AbortSignal fires", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(transport().getTenantKeyStatus({ abortSignal: controller.signal }));
    expect(error).toBeInstanceOf(OperationAbortedError);
  });

  it("refuses bad key info and a site outside the tenant's domain before sending", async () => {
    const since = emulator.requests.size;
    const sp = transport();
    const badVersion = (await rejection(sp.registerTenantKeys({ ...keyInfo, SecondaryKeyVault: { ...keyInfo.SecondaryKeyVault, KeyVersion: "latest" } }))) as InvalidInputError;
    expect(badVersion).toMatchObject({ code: "ERR_SHAREPOINT_KEY_INFO_INVALID", field: "keyInfo.SecondaryKeyVault.KeyVersion" });
    const otherVault = (await rejection(sp.rollTenantKey("primary", { ...keyInfo.PrimaryKeyVault, Uri: "https://elsewhere.vault.azure.net/" }))) as InvalidInputError;
    expect(otherVault.field).toBe("keyVaultInfo.Uri");
    const badType = (await rejection(sp.rollTenantKey("availability" as never, keyInfo.PrimaryKeyVault))) as InvalidInputError;
    expect(badType.field).toBe("keyType");
    const outside = (await rejection(sp.getSiteKeyStatus("https://attacker.example.com/sites/x"))) as InvalidInputError;
    expect(outside.code).toBe("ERR_SHAREPOINT_SITE_URL_INVALID");
    expect(emulator.requests.size).toBe(since);
  });

  it("logs method operations only, never key names or vaults", () => {
    const text = lines.join("\n");
    expect(text).toContain("sharepoint.registerTenantKeys: succeeded");
    expect(text).not.toMatch(/sprest-a|spo-root|eyJ[A-Za-z0-9_-]{10,}/);
  });
});
