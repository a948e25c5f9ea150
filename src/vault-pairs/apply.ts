/**
 * beginApply(): makes exactly the changes of a plan, in plan order, one change per poll. Every
 * change re-reads its resource first and writes only what is still missing, so re-running (or
 * resuming after an abort or crash) sends no write for what is already done.
 */
import type { VaultCreateOrUpdateParameters } from "@azure/arm-keyvault";
import { PreconditionFailedError } from "../errors.js";
import { sleep } from "../internal/abort.js";
import type { ClientContext } from "../internal/context.js";
import { UNCHANGED } from "../internal/audit.js";
import { createPoller, type CustomerKeyPoller } from "../internal/poller.js";
import { customerKeyAdminRoleDefinition, missingPermissions, roleAssignmentName } from "../rules/access-model.js";
import { roleGuid, type CallOptions, type VaultArm } from "../azure/arm-vaults.js";
import { RETENTION_DAYS } from "./plan/plan-vault.js";
import type { ApplyOperationState, ApplyOptions, ApplyResult, PlannedChange, VaultPairPlan } from "./plan/plan-types.js";

export const APPLY_POLLER_KIND = "customer-key.vaultPairs.apply";

export function beginApplyPlan(
  context: ClientContext,
  arm: VaultArm,
  plan: VaultPairPlan,
  options: ApplyOptions = {},
): CustomerKeyPoller<ApplyOperationState, ApplyResult> {
  if (plan.problems.length > 0) {
    throw new PreconditionFailedError(
      "ERR_PLAN_HAS_PROBLEMS",
      `The plan has ${plan.problems.length} problem(s); fix them and plan again. Nothing was changed. ${plan.problems.map((p, i) => `(${i + 1}) ${p.code} at ${p.target}: ${p.message}`).join(" ")}`,
    );
  }
  const now = new Date().toISOString();
  const initial: ApplyOperationState = {
    status: "notStarted",
    fingerprint: plan.fingerprint,
    total: plan.changes.length,
    completed: [],
    applied: [],
    startedAt: now,
    updatedAt: now,
  };
  const poller = createPoller<ApplyOperationState, ApplyResult>({
    kind: APPLY_POLLER_KIND,
    initialState: options.resumeFrom ?? initial,
    // Each poll handles one change; no wait between them.
    intervalInMs: 0,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    step: (state, stepOptions) => step(context, arm, plan, state, stepOptions),
    operation: { name: "vaultPairs.beginApply", context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
  });
  if (poller.operationState.fingerprint !== plan.fingerprint) {
    throw new PreconditionFailedError("ERR_PLAN_MISMATCH", "resumeFrom belongs to a different plan; pass the plan it was started with, or start a new apply.");
  }
  if (options.onProgress) poller.onProgress(options.onProgress);
  return poller;
}

async function step(context: ClientContext, arm: VaultArm, plan: VaultPairPlan, previous: ApplyOperationState, options: CallOptions): Promise<ApplyOperationState> {
  const state: ApplyOperationState = { ...previous, status: "running", completed: [...previous.completed], applied: [...previous.applied] };
  const next = plan.changes.find((c) => !state.completed.includes(c.id));
  if (next) {
    const wrote = next.kind === "noop" ? false : await applyChange(context, arm, plan, next, options);
    state.completed.push(next.id);
    if (wrote) state.applied.push(next.id);
    state.lastChangeId = next.id;
    context.logger.info(`vaultPairs.apply: ${next.id} ${wrote ? "applied" : "already in place"}`);
  }
  if (state.completed.length >= plan.changes.length) {
    state.status = "succeeded";
    state.result = { applied: [...state.applied], unchanged: plan.changes.map((c) => c.id).filter((id) => !state.applied.includes(id)) };
  }
  state.updatedAt = new Date().toISOString();
  return state;
}

/** Re-reads, then writes what is missing. True when a write was sent. */
async function applyChange(context: ClientContext, arm: VaultArm, plan: VaultPairPlan, change: PlannedChange, options: CallOptions): Promise<boolean> {
  const where = plan.spec[change.member];
  const sub = change.subscriptionId;
  const ref = { subscriptionId: sub, resourceGroup: where.resourceGroup, vaultName: where.vaultName };
  const after = change.after;
  // One audit line per change of the plan that sent a write: before as re-read, after as planned.
  const audited = <T>(before: unknown, write: () => Promise<T>, made: (result: T) => boolean = () => true) =>
    context.audit.change({ what: `vaultPairs.beginApply.${change.resource}`, target: change.target, before }, write, (r) => (made(r) ? after : UNCHANGED));
  switch (change.resource) {
    case "resourceProvider": {
      let state = await arm.getProviderState(sub, "Microsoft.KeyVault", options);
      let wrote = false;
      if (!["registered", "registering"].includes(state.toLowerCase())) {
        const was = state;
        state = await audited({ registrationState: was }, () => arm.registerProvider(sub, "Microsoft.KeyVault", options));
        wrote = true;
      }
      // Vault creation fails until the provider is Registered; it usually takes seconds to minutes.
      while (state.toLowerCase() !== "registered") {
        await sleep(context.pollIntervalInMs, options.abortSignal, "vaultPairs.apply");
        state = await arm.getProviderState(sub, "Microsoft.KeyVault", options);
      }
      return wrote;
    }
    case "resourceGroup": {
      if (await arm.getResourceGroup(sub, where.resourceGroup, options)) return false;
      const tags = after.tags as Record<string, string> | undefined;
      await audited(null, () => arm.createResourceGroup(sub, where.resourceGroup, String(after.location), tags && Object.keys(tags).length ? tags : undefined, options));
      return true;
    }
    case "vault": {
      const vault = await arm.getVault(ref, options);
      if (!vault) {
        const tags = after.tags as Record<string, string>;
        const parameters: VaultCreateOrUpdateParameters = {
          location: String(after.location),
          ...(Object.keys(tags).length ? { tags } : {}),
          properties: {
            tenantId: plan.tenantId,
            sku: { family: "A", name: "premium" },
            accessPolicies: [],
            enableSoftDelete: true,
            softDeleteRetentionInDays: RETENTION_DAYS,
            enablePurgeProtection: true,
            enableRbacAuthorization: plan.spec.permissionModel === "rbac",
          },
        };
        await audited(null, () => arm.createVault(ref, parameters, options));
        return true;
      }
      const p = vault.properties;
      const patch: Record<string, unknown> = {};
      if (p.sku?.name !== "premium") patch.sku = { family: "A", name: "premium" };
      if (p.enableSoftDelete === false) patch.enableSoftDelete = true;
      if (p.enablePurgeProtection !== true) patch.enablePurgeProtection = true;
      const wantedTags = plan.spec.tags ?? {};
      const tagsDiffer = Object.entries(wantedTags).some(([k, v]) => vault.tags?.[k] !== v);
      if (!Object.keys(patch).length && !tagsDiffer) return false;
      const before = { sku: p.sku?.name, enableSoftDelete: p.enableSoftDelete, enablePurgeProtection: p.enablePurgeProtection, tags: vault.tags ?? {} };
      await audited(before, () => arm.updateVault(ref, { ...(tagsDiffer ? { tags: { ...(vault.tags ?? {}), ...wantedTags } } : {}), ...(Object.keys(patch).length ? { properties: patch } : {}) }, options));
      return true;
    }
    case "roleDefinition": {
      const guid = String(after.roleDefinitionGuid);
      if (await arm.getRoleDefinition(sub, guid, options)) return false;
      await audited(null, () => arm.createRoleDefinition(sub, guid, customerKeyAdminRoleDefinition(sub), options));
      return true;
    }
    case "accessPolicy": {
      const vault = await arm.getVault(ref, options);
      if (!vault) throw new PreconditionFailedError("ERR_VAULT_NOT_FOUND", `Vault ${where.vaultName} does not exist; apply the plan from the start.`);
      const objectId = String(after.objectId);
      const entry = (vault.properties.accessPolicies ?? []).find((e) => e.objectId.toLowerCase() === objectId.toLowerCase() && !e.applicationId);
      const missing = missingPermissions(after.keys as string[], entry?.permissions.keys);
      if (missing.length === 0) return false;
      await audited(entry ? { objectId, keys: entry.permissions.keys ?? [] } : null, () => arm.updateAccessPolicy(ref, "add", [{ tenantId: plan.tenantId, objectId, permissions: { keys: missing } }], options));
      return true;
    }
    case "roleAssignment": {
      const scope = String(after.scope);
      const principalId = String(after.principalId);
      const wanted = String(after.roleDefinitionGuid);
      const existing = await arm.listRoleAssignments(sub, scope, options);
      if (existing.some((a) => a.principalId?.toLowerCase() === principalId.toLowerCase() && roleGuid(a.roleDefinitionId) === wanted)) return false;
      const outcome = await audited(null, () => arm.createRoleAssignment(sub, scope, roleAssignmentName(scope, wanted, principalId), wanted, principalId, String(after.principalType), options), (o) => o === "created");
      return outcome === "created";
    }
  }
}
