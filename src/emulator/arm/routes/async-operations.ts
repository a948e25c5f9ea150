import { randomUUID } from "node:crypto";
import type { EmulatorCore } from "../../kernel/core.js";
import { json, ServiceError, type Reply } from "../../kernel/http.js";
import type { Route } from "../../kernel/router.js";
import { scopeCovers } from "../../authz/arm-roles.js";
import { authorize, requireSubscription, resourceGroupKey } from "../request-context.js";
import { armState, type AsyncOperationRecord } from "../model.js";
import { deleteVault, purgeVault } from "../vault-records.js";

/** Emulator-only knobs for ARM's asynchronous behaviour (not kept in the state file). */
export interface ArmBehaviour {
  /**
   * How long (emulator-clock ms) vault creation, resource group deletion and vault purge stay
   * in progress. 0 (the default) completes them at the next request, so pollers finish at once
   * while still following the real flow.
   */
  asyncOperationDelayMs: number;
  /** How long (emulator-clock ms) a provider or feature stays `Registering` before `Registered`. */
  registrationDelayMs: number;
  /**
   * How long (emulator-clock ms) a Do-Not-Cancel registration stays `Pending` before the emulated
   * Microsoft approves it by itself, as `Emulator.approveDoNotCancel` does. `Infinity` (the
   * default): it stays `Pending` until `approveDoNotCancel` is called. 0 approves it at the next
   * request. For an emulator run as a process of its own, where no test can call `approveDoNotCancel`.
   */
  doNotCancelApprovalDelayMs: number;
}

const operationRetentionMs = 86_400_000;

const behaviours = new WeakMap<EmulatorCore, ArmBehaviour>();

export function armBehaviour(core: EmulatorCore): ArmBehaviour {
  let behaviour = behaviours.get(core);
  if (!behaviour) behaviours.set(core, (behaviour = { asyncOperationDelayMs: 0, registrationDelayMs: 0, doNotCancelApprovalDelayMs: Infinity }));
  return behaviour;
}

/** Starts an asynchronous operation that completes on the emulator clock. */
export function startOperation(
  core: EmulatorCore,
  kind: NonNullable<AsyncOperationRecord["kind"]>,
  subscriptionId: string,
  target: string,
  resourceId?: string,
): AsyncOperationRecord {
  const now = core.clock.nowMs();
  const op: AsyncOperationRecord = {
    id: randomUUID(),
    status: "InProgress",
    completesAt: now + armBehaviour(core).asyncOperationDelayMs,
    kind,
    subscriptionId: subscriptionId.toLowerCase(),
    target,
    startedAt: new Date(now).toISOString(),
    ...(resourceId ? { resourceId } : {}),
  };
  armState(core).operations[op.id] = op;
  core.changed();
  return op;
}

/**
 * Finishes what the emulator clock says is due: asynchronous operations, provider and feature
 * registrations. Runs before every ARM request, so "due" means "due before this request came".
 */
export function settle(core: EmulatorCore): void {
  const now = core.clock.nowMs();
  for (const op of Object.values(armState(core).operations)) {
    if (op.status !== "InProgress") {
      // Finished operations are kept a day for late pollers, as ARM keeps them, then dropped.
      if (op.completesAt + operationRetentionMs <= now) {
        delete armState(core).operations[op.id];
        core.changed();
      }
      continue;
    }
    if (op.completesAt > now) continue;
    complete(core, op);
    op.status = "Succeeded";
    core.changed();
  }
  // Key Vault purges a soft-deleted vault itself once its retention has passed, freeing the name.
  for (const deleted of Object.values(armState(core).deletedVaults)) {
    if (Date.parse(deleted.scheduledPurgeDate) <= now) purgeVault(core, deleted.vault.name);
  }
  const due = (updatedAt: string) => Date.parse(updatedAt) + armBehaviour(core).registrationDelayMs <= now;
  const settled = (state: string) =>
    state === "Registering" ? "Registered" : state === "Unregistering" ? "Unregistered" : undefined;
  for (const subscription of Object.values(armState(core).subscriptions)) {
    for (const provider of Object.values(subscription.providers)) {
      const next = settled(provider.registrationState);
      if (next && due(provider.updatedAt)) {
        provider.registrationState = next === "Unregistered" ? "NotRegistered" : next;
        provider.updatedAt = new Date(now).toISOString();
        core.changed();
      }
    }
    for (const feature of Object.values(subscription.features)) {
      // Only features Microsoft approves by hand (Do-Not-Cancel) wait in Pending.
      if (feature.state === "Pending" && Date.parse(feature.updatedAt) + armBehaviour(core).doNotCancelApprovalDelayMs <= now) {
        feature.state = "Registered";
        feature.updatedAt = new Date(now).toISOString();
        core.changed();
        continue;
      }
      const next = settled(feature.state);
      if (next && due(feature.updatedAt)) {
        feature.state = next;
        feature.updatedAt = new Date(now).toISOString();
        core.changed();
      }
    }
  }
}

function complete(core: EmulatorCore, op: AsyncOperationRecord): void {
  const arm = armState(core);
  const target = op.target ?? "";
  if (op.kind === "vaultCreate") {
    const vault = arm.vaults[target.toLowerCase()];
    if (vault) vault.properties.provisioningState = "Succeeded";
  } else if (op.kind === "vaultPurge") {
    purgeVault(core, target);
  } else if (op.kind === "resourceGroupDelete" && op.subscriptionId) {
    const key = resourceGroupKey(op.subscriptionId, target);
    const group = arm.resourceGroups[key];
    if (!group) return;
    for (const vault of Object.values(arm.vaults)) {
      if (vault.subscriptionId === op.subscriptionId && vault.resourceGroup.toLowerCase() === target.toLowerCase()) deleteVault(core, vault);
    }
    const scope = `/subscriptions/${op.subscriptionId}/resourceGroups/${group.name}`;
    for (const [name, assignment] of Object.entries(arm.roleAssignments)) {
      if (scopeCovers(scope, assignment.scope)) delete arm.roleAssignments[name];
    }
    delete arm.resourceGroups[key];
  }
}

/** The URL a client polls for an operation, on the host the client used. */
export function operationUrl(origin: string, op: AsyncOperationRecord, location?: string): string {
  const path =
    op.kind === "resourceGroupDelete"
      ? `/subscriptions/${op.subscriptionId}/operationresults/${op.id}`
      : `/subscriptions/${op.subscriptionId}/providers/Microsoft.KeyVault/locations/${location ?? "global"}/operationResults/${op.id}`;
  return `${origin}${path}?api-version=${op.kind === "resourceGroupDelete" ? "2025-04-01" : "2024-11-01"}`;
}

/** Polling endpoints of the asynchronous operations. */
export const operationRoutes: Route[] = [
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/providers/Microsoft.KeyVault/locations/:location/operationResults/:operationId",
    operation: "Vaults_GetOperationResult",
    handler: ({ core, params, caller, req }) => {
      requireSubscription(core, params.subscriptionId!);
      authorize({ core, params, caller, req }, `/subscriptions/${params.subscriptionId}`, "Microsoft.KeyVault/locations/operationResults/read");
      const op = operationOrNotFound(core, params.subscriptionId!, params.operationId!);
      const body = operationStatus(op);
      // A purge is a Location-mode operation: 202 while it runs, 200 when it is done.
      if (op.kind === "vaultPurge" && op.status === "InProgress") return json(body, 202, { location: operationUrl(req.origin, op, params.location) });
      return json(body);
    },
  },
  {
    method: "GET",
    path: "/subscriptions/:subscriptionId/operationresults/:operationId",
    operation: "ResourceGroups_DeleteOperationResult",
    handler: ({ core, params, caller, req }): Reply => {
      requireSubscription(core, params.subscriptionId!);
      authorize({ core, params, caller, req }, `/subscriptions/${params.subscriptionId}`, "Microsoft.Resources/subscriptions/operationresults/read");
      const op = operationOrNotFound(core, params.subscriptionId!, params.operationId!);
      if (op.status === "InProgress") return { status: 202, headers: { location: operationUrl(req.origin, op) } };
      return { status: 200 };
    },
  },
];

/** The operation of a subscription, or 404. */
function operationOrNotFound(core: EmulatorCore, subscriptionId: string, id: string): AsyncOperationRecord {
  const op = armState(core).operations[id.toLowerCase()];
  if (!op || op.subscriptionId !== subscriptionId.toLowerCase()) {
    throw new ServiceError(404, "OperationNotFound", `The operation '${id}' could not be found.`);
  }
  return op;
}

function operationStatus(op: AsyncOperationRecord): Record<string, unknown> {
  return {
    id: op.id,
    name: op.id,
    status: op.status,
    startTime: op.startedAt,
    ...(op.status !== "InProgress" ? { endTime: new Date(op.completesAt).toISOString() } : {}),
    ...(op.error ? { error: op.error } : {}),
  };
}
