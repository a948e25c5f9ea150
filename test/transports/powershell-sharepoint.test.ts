/**
 * SharePointPowerShellTransport against the pwsh stand-in: the SPO cmdlets and their parameters,
 * the mapping to CustomerKeyStatusInfo, values arriving literally, input refused before sending.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidInputError, PowerShellCommandError, SharePointPowerShellTransport, type CustomerKeyInfo, type SharePointPowerShellTransportOptions } from "../../src/index.js";
import { INJECTION_VALUES, standIn, type StandIn } from "./pwsh-stand-in.js";

const open: SharePointPowerShellTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const adminSiteUrl = "https://contoso-admin.sharepoint.com";
const connect = { clientId: "00000000-0000-0000-0000-00000000a11d", tenantId: "contoso.onmicrosoft.com", certificateThumbprint: "0123456789ABCDEF0123456789ABCDEF01234567" };

function transport(stand: StandIn, options: Partial<SharePointPowerShellTransportOptions> = {}): SharePointPowerShellTransport {
  const t = new SharePointPowerShellTransport({ pwshPath: stand.pwshPath, adminSiteUrl, connect, retry: { retryDelayInMs: 10 }, ...options });
  open.push(t);
  return t;
}

const keyInfo: CustomerKeyInfo = {
  PrimaryKeyVault: { VaultName: "contoso-ck-spo-eu1", KeyName: "spo-primary", KeyVersion: "f635a23bd4a44b9996ff6aadd88d42ba", Uri: "https://contoso-ck-spo-eu1.vault.azure.net/" },
  SecondaryKeyVault: { VaultName: "contoso-ck-spo-eu2", KeyName: "spo-secondary", KeyVersion: "2b3e8f1d-754f-438d-acde-c1f0945f251a", Uri: "https://contoso-ck-spo-eu2.vault.azure.net/" },
};

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; field?: string };
  }
  throw new Error("expected the call to fail");
}

describe("SharePointPowerShellTransport", () => {
  it("connects to the admin site with Connect-SPOService, then reads the tenant status", async () => {
    const stand = standIn();
    const t = transport(stand);
    expect(await t.getTenantKeyStatus()).toEqual({
      Status: "Unregistered",
      StatusCode: 0,
      RegistrationProgress: "",
      PrimaryKeyVaultUri: "",
      SecondaryKeyVaultUri: "",
      AvailabilityKeyVaultUri: "https://availability.vault.azure.net/keys/ak/1",
      RecoveryEnabled: false,
    });
    expect(stand.requests().map((r) => [r.op, r.cmdlet, r.parameters])).toEqual([
      ["connect", "Connect-SPOService", { Url: adminSiteUrl, ClientId: connect.clientId, TenantId: connect.tenantId, CertificateThumbprint: connect.certificateThumbprint }],
      ["invoke", "Get-SPODataEncryptionPolicy", {}],
    ]);
  });

  it("registers with the BYOK_MultipleParameters set and returns the status read after it", async () => {
    const stand = standIn();
    const t = transport(stand);
    const status = await t.registerTenantKeys(keyInfo);
    expect(status.Status).toBe("Registering");
    expect(status.StatusCode).toBe(1);
    expect(status.PrimaryKeyVaultUri).toBe("https://contoso-ck-spo-eu1.vault.azure.net/keys/spo-primary/f635a23bd4a44b9996ff6aadd88d42ba");
    const register = stand.requests().find((r) => r.cmdlet === "Register-SPODataEncryptionPolicy")!;
    expect(register.parameters).toEqual({
      PrimaryKeyVaultName: "contoso-ck-spo-eu1",
      PrimaryKeyName: "spo-primary",
      PrimaryKeyVersion: "f635a23bd4a44b9996ff6aadd88d42ba",
      SecondaryKeyVaultName: "contoso-ck-spo-eu2",
      SecondaryKeyName: "spo-secondary",
      SecondaryKeyVersion: "2b3e8f1d-754f-438d-acde-c1f0945f251a",
    });
    expect(stand.requests().at(-1)!.cmdlet).toBe("Get-SPODataEncryptionPolicy");
    const restored = await t.recoverTenantKeys(keyInfo);
    expect(restored.Status).toBe("Registering");
    expect(stand.requests().some((r) => r.cmdlet === "Restore-SPODataEncryptionPolicy")).toBe(true);
  });

  it("rolls one key with -KeyType, mapping a numeric status and progress", async () => {
    const stand = standIn();
    const t = transport(stand);
    const status = await t.rollTenantKey("secondary", keyInfo.SecondaryKeyVault);
    expect(status).toMatchObject({ Status: "Rolling", StatusCode: 3, RegistrationProgress: "12.5" });
    expect(stand.requests().find((r) => r.cmdlet === "Update-SPODataEncryptionPolicy")!.parameters).toEqual({
      KeyType: "Secondary",
      KeyVaultName: "contoso-ck-spo-eu2",
      KeyName: "spo-secondary",
      KeyVersion: "2b3e8f1d-754f-438d-acde-c1f0945f251a",
    });
  });

  it("injection strings in a site URL and the admin site URL arrive unchanged", async () => {
    const stand = standIn();
    const hostile = "https://contoso-admin.sharepoint.com/?x='; Remove-SPOSite -Identity * #$(whoami)`\u0000ü";
    const t = transport(stand, { adminSiteUrl: hostile });
    const urls = INJECTION_VALUES.map((value) => `https://contoso.sharepoint.com/sites/team?q=${value}`);
    for (const url of urls) expect((await t.getSiteKeyStatus(url)).Status).toBe("Unregistered");
    const sent = stand.requests();
    expect(sent[0]!.parameters.Url).toBe(hostile);
    expect(sent.filter((r) => r.cmdlet === "Get-SPOSiteDataEncryptionPolicy").map((r) => r.parameters.Identity)).toEqual(urls);
  });

  it("refuses bad input before starting a process", async () => {
    const stand = standIn();
    const t = transport(stand);
    expect((await failure(t.getSiteKeyStatus("http://contoso.sharepoint.com/sites/a"))).code).toBe("ERR_SHAREPOINT_SITE_URL_INVALID");
    expect((await failure(t.getSiteKeyStatus("not a url"))).code).toBe("ERR_SHAREPOINT_SITE_URL_INVALID");
    const badVersion = { ...keyInfo, PrimaryKeyVault: { ...keyInfo.PrimaryKeyVault, KeyVersion: "'; Remove-SPOSite #" } };
    const e1 = await failure(t.registerTenantKeys(badVersion));
    expect([e1.code, e1.field]).toEqual(["ERR_SHAREPOINT_KEY_INFO_INVALID", "keyInfo.PrimaryKeyVault.KeyVersion"]);
    const badName = { ...keyInfo, SecondaryKeyVault: { ...keyInfo.SecondaryKeyVault, KeyName: "a b" } };
    expect((await failure(t.recoverTenantKeys(badName))).code).toBe("ERR_SHAREPOINT_KEY_INFO_INVALID");
    const badVault = { ...keyInfo.PrimaryKeyVault, VaultName: "x" };
    expect((await failure(t.rollTenantKey("primary", badVault))).code).toBe("ERR_SHAREPOINT_KEY_INFO_INVALID");
    expect((await failure(t.rollTenantKey("availability" as "primary", keyInfo.PrimaryKeyVault))).code).toBe("ERR_SHAREPOINT_KEY_INFO_INVALID");
    expect(stand.starts()).toBe(0);
    expect(() => new SharePointPowerShellTransport({ adminSiteUrl: "contoso-admin", connect })).toThrow(InvalidInputError);
    expect(() => new SharePointPowerShellTransport({ adminSiteUrl: "http://contoso-admin.sharepoint.com", connect })).toThrow(expect.objectContaining({ code: "ERR_TRANSPORT_OPTIONS_INVALID", field: "adminSiteUrl" }));
    expect(() => new SharePointPowerShellTransport({ adminSiteUrl, connect: { clientId: "a", tenantId: "b" } })).toThrow(expect.objectContaining({ code: "ERR_TRANSPORT_OPTIONS_INVALID" }));
  });

  it("maps the managed identity and interactive connects", async () => {
    const stand = standIn();
    await transport(stand, { connect: { managedIdentity: true, managedIdentityClientId: "11111111-1111-1111-1111-111111111111" } }).getTenantKeyStatus();
    const stand2 = standIn();
    await transport(stand2, { connect: { interactive: true } }).getTenantKeyStatus();
    expect(stand.requests()[0]!.parameters).toEqual({ Url: adminSiteUrl, ManagedIdentity: true, ManagedIdentityType: "UserAssigned", ManagedIdentityClientId: "11111111-1111-1111-1111-111111111111" });
    expect(stand2.requests()[0]!.parameters).toEqual({ Url: adminSiteUrl, ModernAuth: true, UseSystemBrowser: true });
  });

  it("a cmdlet error is a PowerShellCommandError; a read crashing once is retried in a new process", async () => {
    const stand = standIn();
    const t = transport(stand);
    const error = await failure(t.getSiteKeyStatus("https://contoso.sharepoint.com/sites/gone#ck-missing"));
    expect(error).toBeInstanceOf(PowerShellCommandError);
    expect(error.code).toBe("ERR_SERVICE_NOT_FOUND");
    expect((error as PowerShellCommandError).cmdlet).toBe("Get-SPOSiteDataEncryptionPolicy");
    const status = await t.getSiteKeyStatus(`https://contoso.sharepoint.com/sites/a#ck-crash-once:${stand.marker("c1")}`);
    expect(status.Status).toBe("Unregistered");
    expect(stand.starts()).toBe(2);
  });
});
