import { BUILT_IN_ROLES, type CustomRoleRecord } from "../arm/model.js";

/** One permission block of a role definition, as Azure RBAC stores it. */
export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  /** The role's GUID (the `name` of the ARM resource). */
  id: string;
  roleName: string;
  description: string;
  permissions: RolePermissions;
}

const none: string[] = [];
const role = (
  ref: { id: string; roleName: string },
  description: string,
  p: Partial<RolePermissions>,
): RoleDefinition => ({
  id: ref.id,
  roleName: ref.roleName,
  description,
  permissions: { actions: p.actions ?? none, notActions: p.notActions ?? none, dataActions: p.dataActions ?? none, notDataActions: p.notDataActions ?? none },
});

/** Management-plane reads every Key Vault data role also carries (Azure's own lists). */
const keyVaultReadActions = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];

const R = BUILT_IN_ROLES;
const rbacOnly = "Only works for key vaults that use the 'Azure role-based access control' permission model.";

/** Azure's built-in role definitions the emulator knows, with their real permissions. */
export const ROLE_DEFINITIONS: readonly RoleDefinition[] = [
  role(R.owner, "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", { actions: ["*"] }),
  role(
    R.contributor,
    "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    {
      actions: ["*"],
      notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    },
  ),
  role(R.reader, "View all resources, but does not allow you to make any changes.", { actions: ["*/read"] }),
  role(R.userAccessAdministrator, "Lets you manage user access to Azure resources.", {
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
  }),
  role(
    R.keyVaultAdministrator,
    `Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. ${rbacOnly}`,
    { actions: keyVaultReadActions, dataActions: ["Microsoft.KeyVault/vaults/*"] },
  ),
  role(R.keyVaultContributor, "Lets you manage key vaults, but not access to them.", {
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.KeyVault/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ],
    notActions: ["Microsoft.KeyVault/locations/deletedVaults/purge/action", "Microsoft.KeyVault/hsmPools/*", "Microsoft.KeyVault/managedHsms/*"],
  }),
  role(R.keyVaultCryptoOfficer, `Perform any action on the keys of a key vault, except manage permissions. ${rbacOnly}`, {
    actions: keyVaultReadActions,
    dataActions: ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"],
  }),
  role(R.keyVaultCryptoServiceEncryptionUser, `Read metadata of keys and perform wrap/unwrap operations. ${rbacOnly}`, {
    actions: [
      "Microsoft.EventGrid/eventSubscriptions/write",
      "Microsoft.EventGrid/eventSubscriptions/read",
      "Microsoft.EventGrid/eventSubscriptions/delete",
    ],
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
    ],
  }),
  role(R.keyVaultCryptoUser, `Perform cryptographic operations using keys. ${rbacOnly}`, {
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/update/action",
      "Microsoft.KeyVault/vaults/keys/backup/action",
      "Microsoft.KeyVault/vaults/keys/encrypt/action",
      "Microsoft.KeyVault/vaults/keys/decrypt/action",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
      "Microsoft.KeyVault/vaults/keys/sign/action",
      "Microsoft.KeyVault/vaults/keys/verify/action",
    ],
  }),
  role(
    R.keyVaultReader,
    `Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. ${rbacOnly}`,
    { actions: keyVaultReadActions, dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"] },
  ),
];

/** Custom roles of the tenant, as kept in the ARM state. */
export type CustomRoles = Record<string, CustomRoleRecord> | undefined;

/** Built-in and custom roles together. */
export function allRoleDefinitions(customRoles: CustomRoles): RoleDefinition[] {
  return [...ROLE_DEFINITIONS, ...Object.values(customRoles ?? {})];
}

/** A role by GUID, or by a full role definition id ending in the GUID (case-insensitive). */
export function findRoleDefinition(idOrPath: string, customRoles?: CustomRoles): RoleDefinition | undefined {
  const guid = idOrPath.split("/").filter(Boolean).at(-1)?.toLowerCase() ?? "";
  return allRoleDefinitions(customRoles).find((d) => d.id === guid);
}

/** A role by its display name (`roleName eq '…'` filters), case-insensitive. */
export function findRoleByName(roleName: string, customRoles?: CustomRoles): RoleDefinition | undefined {
  return allRoleDefinitions(customRoles).find((d) => d.roleName.toLowerCase() === roleName.toLowerCase());
}

/** True for a role the tenant defined itself. */
export function isCustomRole(definition: RoleDefinition): definition is CustomRoleRecord {
  return Array.isArray((definition as Partial<CustomRoleRecord>).assignableScopes);
}
