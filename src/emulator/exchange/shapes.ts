import type { DataEncryptionPolicyRecord } from "./model.js";
import type { MailboxView, MailUserView } from "./recipients.js";

/**
 * Model → InvokeCommand JSON rows (research m365-wire-shapes §1). Confirmed on the wire: plain-string
 * `Identity`, Guid/DateTime/collection annotations, member order of the envelope, DEP members
 * `Name`, `Identity`, `Description`, `Enabled`, `AzureKeyIDs` (+ purge members on mailbox DEPs),
 * `Get-Mailbox`'s `DataEncryptionPolicy`, the statistics' `IsEncrypted`/`DataEncryptionPolicyID`.
 * Everything else is INFERRED by analogy (marked per row below).
 */

export const ORGANIZATION_ID_SUFFIX = "EURPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations";
const EXCHANGE_VERSION = "0.20 (15.0.0.0)";

/** `2024-04-10T08:56:22.0000000+00:00`, as WhenChanged-style members render. */
export function exoDate(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, ".$10000+00:00").replace(/Z$/, ".0000000+00:00");
}

/** `…0000000Z`, as the `…UTC` twins render. */
export function exoDateUtc(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, ".$10000Z");
}

const guid = (name: string, value: string) => ({ [`${name}@data.type`]: "System.Guid", [`${name}@odata.type`]: "#Guid", [name]: value });
const date = (name: string, iso: string, utc = false) => ({ [`${name}@data.type`]: "System.DateTime", [name]: utc ? exoDateUtc(iso) : exoDate(iso) });
const strings = (name: string, values: readonly string[]) => ({ [`${name}@odata.type`]: "#Collection(String)", [name]: [...values] });

/** The standard directory-object members that end an AD-backed row (burp order); INFERRED for DEPs. */
function directoryMembers(o: { name: string; dn: string; whenCreated: string; whenChanged: string; guid: string; tenantDomain: string }) {
  return {
    IsValid: true,
    ExchangeVersion: EXCHANGE_VERSION,
    DistinguishedName: o.dn,
    ...date("WhenChanged", o.whenChanged),
    ...date("WhenCreated", o.whenCreated),
    ...date("WhenChangedUTC", o.whenChanged, true),
    ...date("WhenCreatedUTC", o.whenCreated, true),
    ...guid("ExchangeObjectId", o.guid),
    OrganizationId: `${ORGANIZATION_ID_SUFFIX}/${o.tenantDomain} - ${ORGANIZATION_ID_SUFFIX}/ConfigurationUnits/${o.tenantDomain}/Configuration`,
    ...guid("Guid", o.guid),
  };
}

export function policyDn(policy: DataEncryptionPolicyRecord, tenantDomain: string, kind: "mailbox" | "m365"): string {
  const container = kind === "mailbox" ? "Data Encryption Policies" : "M365 Data At Rest Encryption Policies";
  return `CN=${policy.name},CN=${container},CN=Transport Settings,CN=${tenantDomain},CN=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`;
}

/**
 * A DEP row. Confirmed members: Name, Identity (a plain string = Name), Description, Enabled,
 * AzureKeyIDs, PermanentDataPurgeReason/Contact (mailbox DEPs). INFERRED: Id, State (3P values),
 * PermanentDataPurgeRequested, DataEncryptionPolicyType, and the directory members.
 */
export function policyRow(policy: DataEncryptionPolicyRecord, tenantDomain: string, kind: "mailbox" | "m365"): Record<string, unknown> {
  return {
    Name: policy.name,
    Identity: policy.name,
    Id: policy.name,
    Description: policy.description,
    Enabled: policy.enabled,
    ...strings("AzureKeyIDs", policy.azureKeyIds),
    State: policy.state,
    ...(kind === "mailbox"
      ? {
          PermanentDataPurgeRequested: policy.purge !== undefined,
          PermanentDataPurgeReason: policy.purge?.reason ?? null,
          PermanentDataPurgeContact: policy.purge?.contact ?? null,
          DataEncryptionPolicyType: "Mailbox",
        }
      : { DataEncryptionPolicyType: "M365DataAtRest" }),
    ...directoryMembers({ name: policy.name, dn: policyDn(policy, tenantDomain, kind), whenCreated: policy.whenCreated, whenChanged: policy.whenChanged, guid: policy.guid, tenantDomain }),
  };
}

/**
 * A Get-Mailbox row: a subset of the ~336 real members. Confirmed: DataEncryptionPolicy (null when
 * none), PersistedCapabilities, Identity = ExternalDirectoryObjectId (2026 capture); the rest INFERRED.
 */
export function mailboxRow(m: MailboxView, policyName: string | null, tenantDomain: string, createdAt: string): Record<string, unknown> {
  return {
    Name: m.name,
    Alias: m.name,
    DisplayName: m.displayName,
    UserPrincipalName: m.userPrincipalName,
    PrimarySmtpAddress: m.userPrincipalName,
    ...strings("EmailAddresses", [`SMTP:${m.userPrincipalName}`]),
    RecipientType: "UserMailbox",
    RecipientTypeDetails: "UserMailbox",
    ExternalDirectoryObjectId: m.externalDirectoryObjectId,
    DataEncryptionPolicy: policyName,
    ...strings("PersistedCapabilities", ["CustomerKey"]),
    ...guid("ExchangeGuid", m.exchangeGuid),
    Identity: m.externalDirectoryObjectId,
    Id: m.externalDirectoryObjectId,
    ...directoryMembers({ name: m.name, dn: `CN=${m.name},OU=${tenantDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`, whenCreated: createdAt, whenChanged: createdAt, guid: m.guid, tenantDomain }),
  };
}

/** A Get-MailUser row (INFERRED by analogy with Get-Mailbox). */
export function mailUserRow(u: MailUserView, policyName: string | null, tenantDomain: string, createdAt: string): Record<string, unknown> {
  return {
    Name: u.name,
    Alias: u.name,
    DisplayName: u.displayName,
    UserPrincipalName: u.userPrincipalName,
    ExternalEmailAddress: `SMTP:${u.name}@onprem.contoso.com`,
    RecipientType: "MailUser",
    RecipientTypeDetails: "MailUser",
    ExternalDirectoryObjectId: u.externalDirectoryObjectId,
    DataEncryptionPolicy: policyName,
    Identity: u.externalDirectoryObjectId,
    Id: u.externalDirectoryObjectId,
    ...directoryMembers({ name: u.name, dn: `CN=${u.name},OU=${tenantDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`, whenCreated: createdAt, whenChanged: createdAt, guid: u.guid, tenantDomain }),
  };
}

/**
 * A Get-MailboxStatistics row. Confirmed (docs): IsEncrypted, DataEncryptionPolicyID (JSON casing
 * not seen; the docs' spelling is used). INFERRED: MailboxGuid, DisplayName, TotalItemSize, ItemCount.
 */
export function statisticsRow(m: MailboxView, encryptedWith: string | null): Record<string, unknown> {
  const bytes = 1_048_576 + (parseInt(m.guid.slice(0, 4), 16) % 512) * 1024;
  return {
    DisplayName: m.displayName,
    ...guid("MailboxGuid", m.exchangeGuid),
    ItemCount: 42,
    TotalItemSize: `${(bytes / 1_048_576).toFixed(3).replace(/\.?0+$/, "")} MB (${bytes.toLocaleString("en-US")} bytes)`,
    IsEncrypted: encryptedWith !== null,
    ...(encryptedWith !== null ? guid("DataEncryptionPolicyID", encryptedWith) : { DataEncryptionPolicyID: null }),
    Identity: m.externalDirectoryObjectId,
    IsValid: true,
  };
}

/** The multi-workload assignment row: DSC reads `Name` (confirmed); the rest INFERRED. */
export function assignmentRow(policy: DataEncryptionPolicyRecord): Record<string, unknown> {
  return { Name: policy.name, Identity: policy.name, Id: policy.name, ...guid("DataEncryptionPolicyId", policy.guid), IsValid: true };
}

/** A Get-OrganizationConfig row: a small INFERRED subset. */
export function organizationRow(o: { name: string; displayName: string; guid: string; tenantDomain: string; createdAt: string }): Record<string, unknown> {
  return {
    Name: o.tenantDomain,
    DisplayName: o.displayName,
    Identity: o.tenantDomain,
    Id: o.tenantDomain,
    IsDehydrated: false,
    CustomerLockboxEnabled: false,
    ...directoryMembers({ name: o.tenantDomain, dn: `CN=Configuration,CN=${o.tenantDomain},CN=ConfigurationUnits,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`, whenCreated: o.createdAt, whenChanged: o.createdAt, guid: o.guid, tenantDomain: o.tenantDomain }),
  };
}
