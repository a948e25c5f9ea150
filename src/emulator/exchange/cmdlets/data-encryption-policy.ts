import { KeyVaultAccessError, checkKeyAccess } from "../../keyvault/service-principal-crypto.js";
import { exoErrors } from "../errors.js";
import { workloadPrincipal } from "../key-hierarchy.js";
import { createPolicy, findPolicy, policiesOf, refreshPolicy, replacePolicyKeys, requirePolicy, touch, type PolicyKind } from "../policies.js";
import { policyRow } from "../shapes.js";
import { DATA_AT_REST_ADMIN, EXCHANGE_ADMIN, noChangeWarning, rows, type Cmdlet, type CmdletContext } from "./context.js";

/** New-/Get-/Set-DataEncryptionPolicy and their M365DataAtRest twins: one implementation, two kinds. */

const row = (ctx: CmdletContext, kind: PolicyKind) => (p: Parameters<typeof policyRow>[0]) => policyRow(p, ctx.core.directory.defaultDomain, kind);

function newPolicy(name: string, kind: PolicyKind): Cmdlet {
  return {
    name,
    roles: kind === "mailbox" ? EXCHANGE_ADMIN : DATA_AT_REST_ADMIN,
    readOnly: false,
    parameters: ["Name", "AzureKeyIDs", "Description", "Enabled"],
    async run(ctx) {
      const { params } = ctx;
      const policy = await createPolicy(ctx.core, kind, {
        name: params.string("Name", { required: true }),
        keyUris: params.strings("AzureKeyIDs") ?? [],
        ...(params.string("Description") !== undefined ? { description: params.string("Description")! } : {}),
        ...(params.boolean("Enabled") !== undefined ? { enabled: params.boolean("Enabled")! } : {}),
      });
      return rows([row(ctx, kind)(policy)]);
    },
  };
}

function getPolicy(name: string, kind: PolicyKind): Cmdlet {
  return {
    name,
    roles: kind === "mailbox" ? EXCHANGE_ADMIN : DATA_AT_REST_ADMIN,
    readOnly: true,
    parameters: ["Identity"],
    run(ctx) {
      const identity = ctx.params.string("Identity");
      const all = identity === undefined ? Object.values(policiesOf(ctx.core, kind)).sort((a, b) => a.whenCreated.localeCompare(b.whenCreated)) : [requirePolicy(ctx.core, kind, identity)];
      return rows(all.map(row(ctx, kind)));
    },
  };
}

/**
 * The purge request: refused while the Exchange Online principal can still use a key in either
 * vault (Microsoft: "ensure that you've removed the Exchange Online permissions from both keys").
 * A vault that does not answer cannot prove the access is gone, so it counts as access.
 */
function checkAccessRevoked(ctx: CmdletContext, keyUris: readonly string[]): void {
  const principal = workloadPrincipal(ctx.core, "exchange");
  if (!principal) return;
  for (const keyUri of keyUris) {
    for (const operation of ["wrapKey", "unwrapKey"] as const) {
      let reachable = true;
      try {
        checkKeyAccess(ctx.core, { principalObjectId: principal, keyUri, operations: [operation] });
      } catch (error) {
        if (!(error instanceof KeyVaultAccessError)) throw error;
        reachable = error.status >= 500;
      }
      if (reachable) {
        throw exoErrors.invalidOperation(
          "ExB81D42",
          `The permanent data purge can't be requested because Office 365 Exchange Online still has ${operation} access to the Azure Key Vault key '${keyUri}'. Remove the Exchange Online permissions from both keys and try again.`,
        );
      }
    }
  }
}

function setPolicy(name: string, kind: PolicyKind): Cmdlet {
  const purgeParams = kind === "mailbox" ? ["PermanentDataPurgeRequested", "PermanentDataPurgeReason", "PermanentDataPurgeContact", "Force"] : ["Force"];
  return {
    name,
    roles: kind === "mailbox" ? EXCHANGE_ADMIN : DATA_AT_REST_ADMIN,
    readOnly: false,
    parameters: ["Identity", "Name", "Description", "Enabled", "Refresh", "Replace", "AzureKeyIDs", ...purgeParams],
    async run(ctx) {
      const { params, core } = ctx;
      const policy = requirePolicy(core, kind, params.string("Identity", { required: true }));
      const refresh = params.boolean("Refresh") === true;
      const replace = params.boolean("Replace") === true;
      const purge = params.boolean("PermanentDataPurgeRequested") === true;
      const sets = [refresh, replace || params.has("AzureKeyIDs"), purge || params.has("PermanentDataPurgeReason") || params.has("PermanentDataPurgeContact")].filter(Boolean).length;
      if (sets > 1) throw exoErrors.unknownParameter(params.names().join(" "));
      if (policy.purge && kind === "mailbox") {
        throw exoErrors.invalidOperation("ExB81D43", `The data encryption policy '${policy.name}' can't be changed because a permanent data purge has been requested for it.`);
      }
      let changed = false;
      if (refresh) {
        await refreshPolicy(core, kind, policy);
        changed = true;
      }
      if (replace || params.has("AzureKeyIDs")) {
        if (!replace) throw exoErrors.missingParameter("Replace");
        await replacePolicyKeys(core, kind, policy, params.strings("AzureKeyIDs") ?? []);
        changed = true;
      }
      if (purge) {
        const reason = params.string("PermanentDataPurgeReason", { required: true });
        const contact = params.string("PermanentDataPurgeContact", { required: true });
        checkAccessRevoked(ctx, policy.azureKeyIds);
        policy.purge = { reason, contact, requestedAt: core.clock.now().toISOString() };
        policy.state = "PendingDeletion";
        changed = true;
      }
      const newName = params.string("Name");
      if (newName !== undefined && newName !== policy.name) {
        const other = findPolicy(core, kind, newName);
        if (other && other !== policy) throw exoErrors.alreadyExists(newName);
        policy.name = newName;
        changed = true;
      }
      const description = params.string("Description");
      if (description !== undefined && description !== policy.description) {
        policy.description = description;
        changed = true;
      }
      const enabled = params.boolean("Enabled");
      if (enabled !== undefined && enabled !== policy.enabled) {
        if (!enabled && kind === "m365" && core.serviceState<{ m365Assignment?: string }>("exchange").m365Assignment === policy.guid) {
          throw exoErrors.invalidOperation("ExB81D44", `The policy '${policy.name}' is assigned to the organization. Assign another policy before you disable it.`);
        }
        policy.enabled = enabled;
        changed = true;
      }
      if (!changed) return rows([], [noChangeWarning(policy.name)]);
      touch(core, policy);
      return rows([]);
    },
  };
}

export const policyCmdlets: Cmdlet[] = [
  newPolicy("New-DataEncryptionPolicy", "mailbox"),
  getPolicy("Get-DataEncryptionPolicy", "mailbox"),
  setPolicy("Set-DataEncryptionPolicy", "mailbox"),
  newPolicy("New-M365DataAtRestEncryptionPolicy", "m365"),
  getPolicy("Get-M365DataAtRestEncryptionPolicy", "m365"),
  setPolicy("Set-M365DataAtRestEncryptionPolicy", "m365"),
];
