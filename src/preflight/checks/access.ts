/** Who can do what on the vaults: the workload's service principal, and nobody else with delete. */
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { Vault } from "@azure/arm-keyvault";
import { actionMatches, KNOWN_ROLE_DATA_ACTIONS, keyPermissionsIncludeDelete, missingPermissions, roleIncludesDelete } from "../../rules/access-model.js";
import { roleGuid } from "../../azure/arm-vaults.js";
import { ROLE_IDS, SERVICE_KEY_PERMISSIONS } from "../../rules/access-model.js";
import { WORKLOAD_APP_IDS, WORKLOAD_DISPLAY_NAMES } from "../../rules/workloads.js";
import { Blocked, needVault, pass, type CheckInputs, type CheckTask } from "./check-task.js";
import type { MemberTarget } from "../normalize-target.js";

/** First-party apps whose access is Microsoft's business: the three workloads and the onboarding service. */
const MICROSOFT_APP_IDS = new Set([...Object.values(WORKLOAD_APP_IDS), "19f7f505-34aa-44a4-9dcc-6a768854d2ea"].map((id) => id.toLowerCase()));

const WRAP_ACTIONS = ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action"];

/** The role's definition: read from ARM, or Azure's known built-in data actions when it cannot be read. */
async function roleOf(inputs: CheckInputs, subscriptionId: string, assignment: RoleAssignment): Promise<{ name: string; definition: Pick<RoleDefinition, "permissions"> | undefined }> {
  const guid = roleGuid(assignment.roleDefinitionId);
  const known = KNOWN_ROLE_DATA_ACTIONS[guid];
  let definition: RoleDefinition | undefined;
  try {
    definition = await inputs.reader.roleDefinition(subscriptionId, guid);
  } catch {
    definition = undefined;
  }
  if (definition) return { name: definition.roleName ?? known?.roleName ?? guid, definition };
  return { name: known?.roleName ?? guid, definition: known ? { permissions: [{ dataActions: known.dataActions, notDataActions: [] }] } : undefined };
}

function grantsWrap(definition: Pick<RoleDefinition, "permissions"> | undefined): boolean {
  return WRAP_ACTIONS.every((action) =>
    (definition?.permissions ?? []).some((p) => (p.dataActions ?? []).some((d) => actionMatches(d, action)) && !(p.notDataActions ?? []).some((d) => actionMatches(d, action))),
  );
}

const rbac = (vault: Vault) => vault.properties?.enableRbacAuthorization === true;

async function workloadPrincipal(inputs: CheckInputs) {
  const appId = WORKLOAD_APP_IDS[inputs.target.workload];
  const sp = await inputs.reader.servicePrincipal(appId);
  if (!sp) throw new Blocked({ status: "fail", evidence: `The tenant has no service principal for ${WORKLOAD_DISPLAY_NAMES[inputs.target.workload]} (${appId}), so nothing can grant it access (see access.servicePrincipalExists).` });
  return { appId, sp };
}

function servicePrincipalCheck(inputs: CheckInputs, m: MemberTarget): CheckTask {
  return {
    id: "access.servicePrincipal",
    target: m.label,
    run: async () => {
      const vault = await needVault(inputs, m);
      const { appId, sp } = await workloadPrincipal(inputs);
      const who = `${WORKLOAD_DISPLAY_NAMES[inputs.target.workload]} (${appId}, object ${sp.objectId})`;
      if (!rbac(vault)) {
        const entry = (vault.properties?.accessPolicies ?? []).find((e) => e.objectId?.toLowerCase() === sp.objectId.toLowerCase());
        const missing = missingPermissions(SERVICE_KEY_PERMISSIONS, entry?.permissions?.keys);
        if (missing.length === 0) return pass(`Access policy gives ${who} keys: ${(entry?.permissions?.keys ?? []).join(", ")}.`);
        return {
          status: "fail",
          evidence: entry ? `The access policy of ${who} lacks ${missing.join(", ")} (has ${(entry.permissions?.keys ?? []).join(", ") || "none"}).` : `No access policy for ${who}.`,
          remediation: `client.vaultPairs.plan(spec) then beginApply(plan) grants it. PowerShell: Set-AzKeyVaultAccessPolicy -VaultName ${m.vaultName} -PermissionsToKeys wrapKey,unwrapKey,get -ServicePrincipalName ${appId}.`,
        };
      }
      const vaultId = inputs.reader.vaultResourceId(vault, m);
      const assignments = (await inputs.reader.roleAssignments(m.subscriptionId, vaultId)).filter((a) => a.principalId?.toLowerCase() === sp.objectId.toLowerCase());
      for (const assignment of assignments) {
        const role = await roleOf(inputs, m.subscriptionId, assignment);
        if (grantsWrap(role.definition)) return pass(`${who} holds "${role.name}" at ${assignment.scope ?? vaultId} (RBAC vault).`);
      }
      return {
        status: "fail",
        evidence: `RBAC vault: ${who} has no role with keys read/wrap/unwrap at the vault or above${assignments.length ? ` (has ${assignments.length} other assignment(s))` : ""}.`,
        remediation: `client.vaultPairs.plan(spec) then beginApply(plan) assigns it. PowerShell: New-AzRoleAssignment -ObjectId ${sp.objectId} -RoleDefinitionId ${ROLE_IDS.cryptoServiceEncryptionUser} -Scope ${vaultId} (Key Vault Crypto Service Encryption User).`,
      };
    },
  };
}

async function isMicrosoft(inputs: CheckInputs, objectId: string): Promise<{ microsoft: boolean; label: string }> {
  const principal = await inputs.reader.principal(objectId).catch(() => undefined);
  const microsoft = principal?.kind === "servicePrincipal" && principal.appId !== undefined && MICROSOFT_APP_IDS.has(principal.appId.toLowerCase());
  const name = principal?.userPrincipalName ?? principal?.displayName;
  return { microsoft, label: name ? `${name} (${objectId})` : objectId };
}

function noAdminDeleteCheck(inputs: CheckInputs, m: MemberTarget): CheckTask {
  return {
    id: "access.noAdminDelete",
    target: m.label,
    run: async () => {
      const vault = await needVault(inputs, m);
      const offenders: string[] = [];
      if (!rbac(vault)) {
        const policies = vault.properties?.accessPolicies ?? [];
        for (const entry of policies) {
          if (!entry.objectId || !keyPermissionsIncludeDelete(entry.permissions?.keys)) continue;
          const who = await isMicrosoft(inputs, entry.objectId);
          const perms = (entry.permissions?.keys ?? []).filter((p) => ["delete", "purge", "all"].includes(p.toLowerCase()));
          if (!who.microsoft) offenders.push(`${who.label}: access policy keys ${perms.join(", ")}`);
        }
        if (offenders.length === 0) return pass(`None of the ${policies.length} access policies lets a non-Microsoft principal delete or purge keys.`);
      } else {
        const vaultId = inputs.reader.vaultResourceId(vault, m);
        const assignments = await inputs.reader.roleAssignments(m.subscriptionId, vaultId);
        for (const assignment of assignments) {
          if (!assignment.principalId) continue;
          const role = await roleOf(inputs, m.subscriptionId, assignment);
          if (!roleIncludesDelete(role.definition)) continue;
          const who = await isMicrosoft(inputs, assignment.principalId);
          if (!who.microsoft) offenders.push(`${who.label}: role "${role.name}" at ${assignment.scope ?? vaultId}`);
        }
        if (offenders.length === 0) return pass(`None of the ${assignments.length} role assignments at or above the vault grants delete or purge of keys to a non-Microsoft principal.`);
      }
      return {
        status: "fail",
        evidence: `Can delete or purge keys: ${offenders.join("; ")}.`,
        remediation: rbac(vault)
          ? `Replace the role with the delete-free administrator role: client.vaultPairs.revokeAccess(vault, principal, …) then client.vaultPairs.grantAdministrator(vault, principal). PowerShell: Remove-AzRoleAssignment -ObjectId <objectId> -RoleDefinitionName "<role>" -Scope <scope>.`
          : `Give administrators create, import, list, get, backup, restore only: client.vaultPairs.revokeAccess(vault, principal, …) then client.vaultPairs.grantAdministrator(vault, principal). PowerShell: Set-AzKeyVaultAccessPolicy -VaultName ${m.vaultName} -ObjectId <objectId> -PermissionsToKeys create,import,list,get,backup,restore (replaces the key permissions).`,
      };
    },
  };
}

export function accessChecks(inputs: CheckInputs): CheckTask[] {
  const appId = WORKLOAD_APP_IDS[inputs.target.workload];
  const name = WORKLOAD_DISPLAY_NAMES[inputs.target.workload];
  return [
    {
      id: "access.servicePrincipalExists",
      target: `tenant ${inputs.tenantId}`,
      run: async () => {
        const sp = await inputs.reader.servicePrincipal(appId);
        if (sp) return pass(`${name} (${appId}) is service principal ${sp.objectId}.`);
        return {
          status: "fail",
          evidence: `No service principal with appId ${appId} (${name}).`,
          remediation: `Create it (a tenant admin): PowerShell New-AzADServicePrincipal -ApplicationId ${appId} (or Microsoft Graph POST /servicePrincipals {"appId":"${appId}"}); client.vaultPairs.plan(spec) reports it as a problem until then.`,
        };
      },
    },
    ...inputs.target.members.flatMap((m) => [servicePrincipalCheck(inputs, m), noAdminDeleteCheck(inputs, m)].map((t) => ({ ...t, member: m }))),
  ];
}
