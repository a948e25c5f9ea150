import { randomUUID } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { armBehaviour, type ArmBehaviour } from "./routes/async-operations.js";
import { BUILT_IN_ROLES, type RoleAssignmentRecord, type SubscriptionRecord, armState } from "./model.js";

/** The feature Microsoft approves by hand to make a subscription "Do Not Cancel". */
export const DO_NOT_CANCEL_FEATURE = "Microsoft.Resources/mandatoryRetentionPeriodEnabled";

/** Providers a new subscription has registered, as Azure pre-registers the common ones. */
const preRegisteredProviders = ["Microsoft.Resources", "Microsoft.Authorization", "Microsoft.Features"];

/** Creates a subscription in the emulated tenant, optionally making a principal its Owner. */
export function createSubscription(
  core: EmulatorCore,
  options: {
    displayName: string;
    subscriptionId?: string;
    ownerObjectId?: string;
    state?: string;
    /** Namespaces registered from the start besides Azure's defaults (a new subscription lacks Microsoft.KeyVault). */
    registerProviders?: string[];
    /** `subscriptionPolicies.quotaId` of the offer; `PayAsYouGo_2014-09-01` (paid) by default. */
    quotaId?: string;
  },
): SubscriptionRecord {
  const subscriptionId = (options.subscriptionId ?? randomUUID()).toLowerCase();
  if (armState(core).subscriptions[subscriptionId]) throw new Error(`Subscription ${subscriptionId} already exists.`);
  const now = core.clock.now().toISOString();
  const record: SubscriptionRecord = {
    subscriptionId,
    displayName: options.displayName,
    state: options.state ?? "Enabled",
    tenantId: core.tenantId,
    features: {},
    providers: Object.fromEntries(
      [...preRegisteredProviders, ...(options.registerProviders ?? [])].map((ns) => [ns, { registrationState: "Registered", updatedAt: now }]),
    ),
    ...(options.quotaId ? { quotaId: options.quotaId } : {}),
  };
  armState(core).subscriptions[subscriptionId] = record;
  if (options.ownerObjectId) {
    assignRole(core, { scope: `/subscriptions/${subscriptionId}`, roleId: BUILT_IN_ROLES.owner.id, principalId: options.ownerObjectId });
  }
  core.changed();
  return record;
}

/** Adds a role assignment directly (seeding and tests); the ARM API does the same for callers. */
export function assignRole(
  core: EmulatorCore,
  options: { scope: string; roleId: string; principalId: string; principalType?: string; name?: string },
): RoleAssignmentRecord {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(options.scope)?.[1] ?? "";
  const principal = core.directory.findPrincipal(options.principalId);
  const record: RoleAssignmentRecord = {
    name: options.name ?? randomUUID(),
    scope: options.scope,
    roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${options.roleId}`,
    principalId: options.principalId,
    principalType: options.principalType ?? (principal?.kind === "servicePrincipal" ? "ServicePrincipal" : principal ? "User" : "Group"),
    createdOn: core.clock.now().toISOString(),
  };
  armState(core).roleAssignments[record.name] = record;
  core.changed();
  return record;
}

/**
 * Microsoft's manual approval of the Do-Not-Cancel registration. Only a subscription whose
 * registration is pending can be approved; this is the step that takes days in reality.
 */
export function approveDoNotCancel(core: EmulatorCore, subscriptionId: string): void {
  const subscription = armState(core).subscriptions[subscriptionId.toLowerCase()];
  if (!subscription) throw new Error(`Subscription ${subscriptionId} does not exist in the emulator.`);
  const key = Object.keys(subscription.features).find((k) => k.toLowerCase() === DO_NOT_CANCEL_FEATURE.toLowerCase());
  const feature = key ? subscription.features[key] : undefined;
  if (!feature || feature.state !== "Pending") {
    throw new Error(`Do-Not-Cancel on ${subscriptionId} is ${feature?.state ?? "NotRegistered"}; register it before approving.`);
  }
  feature.state = "Registered";
  feature.updatedAt = core.clock.now().toISOString();
  core.changed();
}

export type { ArmBehaviour } from "./routes/async-operations.js";

/**
 * Changes ARM's asynchronous timing for this emulator (not persisted): e.g.
 * `{asyncOperationDelayMs: 60_000}` keeps a new vault `RegisteringDns` (and its operation
 * `InProgress`) until the emulator clock moves a minute on.
 */
export function setArmBehaviour(core: EmulatorCore, behaviour: Partial<ArmBehaviour>): void {
  Object.assign(armBehaviour(core), behaviour);
}
