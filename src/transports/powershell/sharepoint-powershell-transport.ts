/**
 * SharePointPowerShellTransport: the SharePoint Online Customer Key operations through the SPO
 * Management Shell cmdlets in one long-lived `pwsh` process (customer-key-host.ps1 in
 * `sharepoint` mode).
 */
import { InvalidInputError } from "../../errors.js";
import { runOperation, type OperationOptions } from "../../internal/operation.js";
import { withRetry } from "../../internal/retry.js";
import { vaultNameProblems } from "../../rules/vault-naming.js";
import type { ExchangeParameterValue } from "../exchange-transport.js";
import type { CustomerKeyInfo, CustomerKeyStatusInfo, CustomerKeyVaultInfo, SharePointKeyType, SharePointTransport } from "../sharepoint-transport.js";
import { isRetryable, missingError } from "./exchange-powershell-transport.js";
import { hostArguments } from "./host-script.js";
import { PowerShellHost, type HostConnect } from "./host-process.js";
import type { HostResponse } from "./host-protocol.js";
import { PowerShellCommandError } from "./powershell-errors.js";
import { requireText, resolveProcessOptions, type PowerShellProcessOptions, type ResolvedProcessOptions } from "./powershell-options.js";
import { looksLikeStatus, toCustomerKeyStatusInfo } from "./sharepoint-status.js";

/** App-only with a certificate: `Connect-SPOService -Url -ClientId -TenantId -CertificateThumbprint|-CertificatePath`. */
export interface SharePointCertificateConnect {
  /** The app registration's application (client) id. */
  clientId: string;
  /** The Entra tenant id (a GUID) or its initial domain. */
  tenantId: string;
  /** The certificate's thumbprint (Windows certificate store); give this or `certificatePath`. */
  certificateThumbprint?: string;
  /** A certificate file without a password; give this or `certificateThumbprint`. */
  certificatePath?: string;
}

/** With the Azure managed identity of the machine: `Connect-SPOService -Url -ManagedIdentity`. */
export interface SharePointManagedIdentityConnect {
  /** Always `true`. */
  managedIdentity: true;
  /** A user-assigned identity's client id (`-ManagedIdentityType UserAssigned -ManagedIdentityClientId`); default the system-assigned identity. */
  managedIdentityClientId?: string;
}

/** Delegated, signing in interactively (`Connect-SPOService -Url -ModernAuth $true -UseSystemBrowser $true`). Needs a desktop session. */
export interface SharePointInteractiveConnect {
  /** Always `true`. */
  interactive: true;
}

/** How the host connects to the SharePoint admin site (the `Connect-SPOService` parameter set). `Connect-SPOService` takes no access token. */
export type SharePointPowerShellConnect = SharePointCertificateConnect | SharePointManagedIdentityConnect | SharePointInteractiveConnect;

/** Options of `SharePointPowerShellTransport`. */
export interface SharePointPowerShellTransportOptions extends PowerShellProcessOptions {
  /** The tenant admin site, e.g. `https://contoso-admin.sharepoint.com` (one per geo in a multi-geo tenant). */
  adminSiteUrl: string;
  /** How to connect; sent once per process start. */
  connect: SharePointPowerShellConnect;
}

const KEY_TYPES: Record<SharePointKeyType, string> = { primary: "Primary", secondary: "Secondary" };

/**
 * Runs the SharePoint Online Customer Key operations with the SPO Management Shell
 * (`Microsoft.Online.SharePoint.PowerShell`, PowerShell 7.5+) in one long-lived `pwsh` process:
 * `Get-`, `Register-`, `Update-`, `Restore-SPODataEncryptionPolicy` and
 * `Get-SPOSiteDataEncryptionPolicy`. Same process model as `ExchangePowerShellTransport`
 * (parameters as JSON data, splatted; one call at a time; crash, timeout and abort restart the
 * process). Reads are retried on transient failures; register, roll and recover are not.
 *
 * The cmdlets' output property names are not documented; the mapping to `CustomerKeyStatusInfo`
 * reads SharePoint's own names (`Status`, `RegistrationProgress`, `PrimaryKeyVaultUri`, …).
 * Not yet run against a real `pwsh`: tested against a stand-in speaking the same protocol.
 */
export class SharePointPowerShellTransport implements SharePointTransport {
  readonly #options: ResolvedProcessOptions;
  readonly #host: PowerShellHost;

  /** Checks the options; the process starts at the first call. */
  constructor(options: SharePointPowerShellTransportOptions) {
    this.#options = resolveProcessOptions(options ?? ({} as SharePointPowerShellTransportOptions));
    const adminSiteUrl = checkSiteUrl(options?.adminSiteUrl, "adminSiteUrl");
    const parameters = connectParameters(adminSiteUrl, options?.connect);
    const connect: HostConnect = async (send) => {
      const response = await send("Connect-SPOService", parameters);
      if (!response.ok) throw new PowerShellCommandError("sharePointPowerShell.connect", "Connect-SPOService", response.error ?? missingError(), response.warnings);
      return {};
    };
    this.#host = new PowerShellHost({
      pwshPath: this.#options.pwshPath,
      args: hostArguments("sharepoint"),
      startTimeoutMs: this.#options.startTimeoutMs,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      maxRestarts: this.#options.maxRestarts,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      connect,
      secrets: () => [],
      logger: this.#options.logger,
      label: "SharePoint PowerShell host",
    });
  }

  /** The process id of the running `pwsh`, or undefined before the first call and after a crash or `close()`. */
  get processId(): number | undefined {
    return this.#host.pid;
  }

  /** `Get-SPODataEncryptionPolicy`: the tenant's (this geo's) state. */
  getTenantKeyStatus(options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return runOperation(this.#context(), "sharePointPowerShell.getTenantKeyStatus", options, async (updated) => this.#status("Get-SPODataEncryptionPolicy", {}, updated, true));
  }

  /** `Register-SPODataEncryptionPolicy` with the vault names, key names and versions of both keys; returns the state after it. */
  registerTenantKeys(keyInfo: CustomerKeyInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return runOperation(this.#context(), "sharePointPowerShell.registerTenantKeys", options, async (updated) =>
      this.#status("Register-SPODataEncryptionPolicy", keyParameters(keyInfo, "keyInfo"), updated, false),
    );
  }

  /** `Update-SPODataEncryptionPolicy -KeyType Primary|Secondary` with the new key; one roll at a time. */
  rollTenantKey(keyType: SharePointKeyType, keyVaultInfo: CustomerKeyVaultInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return runOperation(this.#context(), "sharePointPowerShell.rollTenantKey", options, async (updated) => {
      const type = KEY_TYPES[keyType];
      if (!type) throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `keyType must be 'primary' or 'secondary', got '${String(keyType)}'.`, { field: "keyType" });
      const key = vaultParameters(keyVaultInfo, "keyVaultInfo");
      return this.#status("Update-SPODataEncryptionPolicy", { KeyType: type, KeyVaultName: key.vaultName, KeyName: key.keyName, KeyVersion: key.keyVersion }, updated, false);
    });
  }

  /** `Restore-SPODataEncryptionPolicy`: restores the keys of a tenant in recovery mode. */
  recoverTenantKeys(keyInfo: CustomerKeyInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return runOperation(this.#context(), "sharePointPowerShell.recoverTenantKeys", options, async (updated) =>
      this.#status("Restore-SPODataEncryptionPolicy", keyParameters(keyInfo, "keyInfo"), updated, false),
    );
  }

  /** `Get-SPOSiteDataEncryptionPolicy -Identity <siteUrl>`: one site's state. */
  getSiteKeyStatus(siteUrl: string, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return runOperation(this.#context(), "sharePointPowerShell.getSiteKeyStatus", options, async (updated) =>
      this.#status("Get-SPOSiteDataEncryptionPolicy", { Identity: checkSiteUrl(siteUrl, "siteUrl") }, updated, true),
    );
  }

  /** Ends the process (it disconnects first; killed after `closeTimeoutInMs`). Later calls fail with `ERR_POWERSHELL_CLOSED`. Safe to call twice. */
  close(): Promise<void> {
    return this.#host.close();
  }

  #context() {
    return { logger: this.#options.logger };
  }

  async #run(cmdlet: string, parameters: Record<string, ExchangeParameterValue>, options: OperationOptions, read: boolean): Promise<HostResponse> {
    const operation = `sharePointPowerShell ${cmdlet}`;
    return withRetry(
      operation,
      async () => {
        const answer = await this.#host.invoke(cmdlet, parameters, { timeoutMs: this.#options.timeoutMs, abortSignal: options.abortSignal, operation });
        if (!answer.ok) throw new PowerShellCommandError(operation, cmdlet, answer.error ?? missingError(), answer.warnings);
        return answer;
      },
      {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(this.#options.retry ? { retry: this.#options.retry } : {}),
        logger: this.#options.logger,
        retryIf: (error) => read && isRetryable(error),
      },
    );
  }

  /** Runs the cmdlet; when its output is not a status (the write cmdlets may print nothing), reads the tenant's status after it. */
  async #status(cmdlet: string, parameters: Record<string, ExchangeParameterValue>, options: OperationOptions, read: boolean): Promise<CustomerKeyStatusInfo> {
    const response = await this.#run(cmdlet, parameters, options, read);
    const first = response.value.find(looksLikeStatus);
    if (first) return toCustomerKeyStatusInfo(first);
    if (read) return toCustomerKeyStatusInfo((response.value[0] as Record<string, unknown> | undefined) ?? {});
    const after = await this.#run("Get-SPODataEncryptionPolicy", {}, options, true);
    return toCustomerKeyStatusInfo((after.value.find(looksLikeStatus) ?? after.value[0] ?? {}) as Record<string, unknown>);
  }
}

function checkSiteUrl(value: unknown, field: "siteUrl" | "adminSiteUrl"): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.username || url.password) {
    throw new InvalidInputError(field === "siteUrl" ? "ERR_SHAREPOINT_SITE_URL_INVALID" : "ERR_TRANSPORT_OPTIONS_INVALID", `${field} must be an absolute https URL without credentials, e.g. https://contoso-admin.sharepoint.com.`, { field });
  }
  return value as string;
}

function connectParameters(adminSiteUrl: string, connect: SharePointPowerShellConnect | undefined): Record<string, ExchangeParameterValue> {
  if (!connect || typeof connect !== "object") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "connect is required: { clientId, tenantId, certificateThumbprint }, { managedIdentity: true } or { interactive: true }.", { field: "connect" });
  }
  if ("clientId" in connect) {
    requireText(connect.clientId, "connect.clientId");
    requireText(connect.tenantId, "connect.tenantId");
    if (!connect.certificateThumbprint === !connect.certificatePath) {
      throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "Give exactly one of connect.certificateThumbprint and connect.certificatePath.", { field: "connect.certificateThumbprint" });
    }
    const certificate: Record<string, ExchangeParameterValue> = connect.certificateThumbprint ? { CertificateThumbprint: connect.certificateThumbprint } : { CertificatePath: connect.certificatePath! };
    return { Url: adminSiteUrl, ClientId: connect.clientId, TenantId: connect.tenantId, ...certificate };
  }
  if ("managedIdentity" in connect) {
    return connect.managedIdentityClientId
      ? { Url: adminSiteUrl, ManagedIdentity: true, ManagedIdentityType: "UserAssigned", ManagedIdentityClientId: connect.managedIdentityClientId }
      : { Url: adminSiteUrl, ManagedIdentity: true };
  }
  if ("interactive" in connect) return { Url: adminSiteUrl, ModernAuth: true, UseSystemBrowser: true };
  throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "connect must hold clientId and a certificate, managedIdentity or interactive.", { field: "connect" });
}

/** Vault name, key name and key version of one key, checked. */
function vaultParameters(info: CustomerKeyVaultInfo | undefined, field: string): { vaultName: string; keyName: string; keyVersion: string } {
  if (!info || typeof info !== "object") throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field} is required.`, { field });
  const problems = typeof info.VaultName === "string" ? vaultNameProblems(info.VaultName) : ["is not a string"];
  if (problems.length > 0) {
    throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field}.VaultName '${String(info.VaultName).slice(0, 40)}' is not a valid Key Vault name: it ${problems.join("; it ")}.`, { field: `${field}.VaultName` });
  }
  if (typeof info.KeyName !== "string" || !/^[0-9A-Za-z-]{1,127}$/.test(info.KeyName)) {
    throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field}.KeyName '${String(info.KeyName).slice(0, 130)}' is not a valid key name (1–127 letters, digits and hyphens).`, { field: `${field}.KeyName` });
  }
  const version = typeof info.KeyVersion === "string" ? info.KeyVersion : "";
  if (!/^[0-9a-fA-F]{32}$/.test(version) && !/^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/.test(version)) {
    throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field}.KeyVersion must be the key version (32 hex digits, as in the key id).`, { field: `${field}.KeyVersion` });
  }
  return { vaultName: info.VaultName, keyName: info.KeyName, keyVersion: version };
}

/** The BYOK_MultipleParameters set of Register- and Restore-SPODataEncryptionPolicy. */
function keyParameters(keyInfo: CustomerKeyInfo | undefined, field: string): Record<string, ExchangeParameterValue> {
  if (!keyInfo || typeof keyInfo !== "object") throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field} is required.`, { field });
  const primary = vaultParameters(keyInfo.PrimaryKeyVault, `${field}.PrimaryKeyVault`);
  const secondary = vaultParameters(keyInfo.SecondaryKeyVault, `${field}.SecondaryKeyVault`);
  return {
    PrimaryKeyVaultName: primary.vaultName,
    PrimaryKeyName: primary.keyName,
    PrimaryKeyVersion: primary.keyVersion,
    SecondaryKeyVaultName: secondary.vaultName,
    SecondaryKeyName: secondary.keyName,
    SecondaryKeyVersion: secondary.keyVersion,
  };
}
