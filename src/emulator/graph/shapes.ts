import type { EmulatorCore } from "../kernel/core.js";
import type { GroupRecord, ServicePrincipalRecord, UserRecord } from "../kernel/directory.js";

/** Microsoft Graph v1.0 entity shapes (full objects; `$select` picks from them). */

export const USER_DEFAULTS = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
  "preferredLanguage", "surname", "userPrincipalName", "id",
] as const;

export function user(u: UserRecord): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: u.displayName,
    givenName: null,
    jobTitle: null,
    mail: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: u.userPrincipalName,
    id: u.objectId,
    accountEnabled: u.accountEnabled,
    userType: "Member",
  };
}

export const SERVICE_PRINCIPAL_DEFAULTS = [
  "id", "accountEnabled", "appDisplayName", "appId", "appOwnerOrganizationId", "displayName", "servicePrincipalNames",
  "servicePrincipalType", "signInAudience", "tags",
] as const;

export function servicePrincipal(sp: ServicePrincipalRecord, tenantId: string): Record<string, unknown> {
  return {
    id: sp.objectId,
    accountEnabled: sp.accountEnabled,
    appDisplayName: sp.displayName,
    appId: sp.appId,
    appOwnerOrganizationId: sp.appOwnerOrganizationId,
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: "Application",
    signInAudience: sp.appOwnerOrganizationId === tenantId ? "AzureADMyOrg" : "AzureADMultipleOrgs",
    tags: [],
  };
}

export const GROUP_DEFAULTS = ["id", "displayName", "description", "mail", "mailEnabled", "securityEnabled", "groupTypes"] as const;

export function group(g: GroupRecord): Record<string, unknown> {
  return { id: g.objectId, displayName: g.displayName, description: null, mail: null, mailEnabled: false, securityEnabled: true, groupTypes: [] };
}

export function organization(core: EmulatorCore): Record<string, unknown> {
  return {
    id: core.tenantId,
    displayName: core.directory.organizationName,
    tenantType: "AAD",
    verifiedDomains: [
      { capabilities: "Email, OfficeCommunicationsOnline", isDefault: true, isInitial: true, name: core.directory.defaultDomain, type: "Managed" },
    ],
  };
}
