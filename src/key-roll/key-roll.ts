/**
 * `client.beginRollRootKey`: a root key rolled end to end. One step per poll, each recorded in the
 * serialisable state before the next: a new key version (recorded at once, so a resumed roll never
 * makes a second one: it adopts a version that appeared since the roll began) → a backup of it →
 * the policies that use the key → every Exchange and multi-workload DEP refreshed and each geo's
 * SharePoint policy rolled, one SharePoint roll at a time (waiting while SharePoint is busy) → each
 * workload reporting the change → a final read. Old versions are never disabled or deleted: data
 * wrapped by them must still open.
 */
import { InvalidInputError, PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";
import { createPoller, type CustomerKeyPoller } from "../internal/poller.js";
import { parseKeyUri, sameKey, tryParseKeyUri, versionedKeyUri, type ParsedKeyUri } from "../rules/key-uris.js";
import type { KeyRollBackups, KeyRollKeys, KeyRollSharePoint, WorkloadPolicyRefresher } from "./dependencies.js";
import type { KeyRollOperationState, KeyRollPolicyState, KeyRollResult, RollRootKeyEverywhereOptions } from "./types.js";

/** Serialized states carry this kind, so no other poller's state resumes a key roll. */
export const KEY_ROLL_POLLER_KIND = "customer-key.beginRollRootKey";

/** What the key roll is wired to; the facade injects each. */
export interface KeyRollDependencies {
  keys: KeyRollKeys;
  backups: KeyRollBackups;
  sharePoint: KeyRollSharePoint;
  /** Exchange and multi-workload DEPs; undefined when the client has no Exchange Online endpoint or transport. */
  workloads: WorkloadPolicyRefresher | undefined;
}

const versionOf = (keyUri: string) => keyUri.split("/").pop()!;
const geoOption = (geo: string) => (geo ? { geo } : {});
const is = (state: string | undefined, name: string) => (state ?? "").toLowerCase() === name.toLowerCase();

/** Starts or resumes a key roll. @internal */
export function beginRollRootKey(context: ClientContext, deps: KeyRollDependencies, keyUri: string, options: RollRootKeyEverywhereOptions): CustomerKeyPoller<KeyRollOperationState, KeyRollResult> {
  const key = parseKeyUri(keyUri, "keyUri");
  if (!options || typeof options.backupDirectory !== "string" || options.backupDirectory.trim() === "") {
    throw new InvalidInputError("ERR_BACKUP_DIRECTORY_REQUIRED", "options.backupDirectory is required: the new key version is backed up there before any workload uses it.", { field: "backupDirectory" });
  }
  const initial: KeyRollOperationState = { status: "notStarted", keyId: key.versionlessId, step: "rollKey", policies: [], updatedAt: new Date().toISOString() };
  const poller = createPoller<KeyRollOperationState, KeyRollResult>({
    kind: KEY_ROLL_POLLER_KIND,
    initialState: options.resumeFrom ?? initial,
    intervalInMs: options.updateIntervalInMs ?? context.pollIntervalInMs,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    step: (state, o) => step(context, deps, key, options.backupDirectory, state, o),
    operation: { name: "beginRollRootKey", context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
  });
  if (options.resumeFrom && poller.operationState.keyId.toLowerCase() !== key.versionlessId.toLowerCase()) {
    throw new InvalidInputError("ERR_POLLER_STATE_INVALID", `resumeFrom belongs to the roll of ${poller.operationState.keyId}, not ${key.versionlessId}.`, { field: "resumeFrom" });
  }
  if (options.onProgress) poller.onProgress(options.onProgress);
  return poller;
}

async function step(context: ClientContext, deps: KeyRollDependencies, key: ParsedKeyUri, backupDirectory: string, previous: KeyRollOperationState, options: OperationOptions): Promise<KeyRollOperationState> {
  const state: KeyRollOperationState = { ...previous, status: "running", policies: previous.policies.map((p) => ({ ...p })), updatedAt: new Date().toISOString() };
  const log = context.logger;
  switch (state.step) {
    case "rollKey": {
      const current = versionOf(await deps.keys.currentKeyUri(key.versionlessId, options));
      if (!state.previousVersion) {
        // Recorded before the roll: a resumed roll that finds another current version adopts it instead of rolling again.
        state.previousVersion = current;
        return state;
      }
      state.newVersion = current !== state.previousVersion ? current : versionOf(await deps.keys.roll(key.versionlessId, options));
      log.info(`beginRollRootKey: ${key.versionlessId} version ${state.previousVersion} → ${state.newVersion}.`);
      state.step = "backup";
      return state;
    }
    case "backup": {
      const backup = await deps.backups.backupKey(key.versionlessId, { directory: backupDirectory, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) });
      state.backupFile = backup.path;
      state.step = "discover";
      return state;
    }
    case "discover": {
      state.policies = await discover(deps, key, options);
      log.info(`beginRollRootKey: ${state.policies.length} polic${state.policies.length === 1 ? "y uses" : "ies use"} ${key.versionlessId}.`);
      state.step = "update";
      return state;
    }
    case "update": {
      const newKeyUri = versionedKeyUri(key, state.newVersion!);
      for (const policy of state.policies) {
        if (policy.workload !== "sharePoint" && policy.status === "pending") {
          await deps.workloads!.refresh({ workload: policy.workload, name: policy.policy, keyUris: [], changedAt: policy.changedBefore }, options);
          policy.status = "updated";
        }
      }
      // SharePoint rolls one key at a time per geo: one policy in flight, the next when it is done.
      const active = state.policies.find((p) => p.workload === "sharePoint" && p.status !== "updated" && p.status !== "confirmed");
      if (active) await advanceSharePoint(deps, active, newKeyUri, options);
      if (state.policies.every((p) => p.status === "updated" || p.status === "confirmed")) state.step = "awaitWorkloads";
      return state;
    }
    case "awaitWorkloads": {
      for (const policy of state.policies.filter((p) => p.status === "updated")) {
        if (policy.workload === "sharePoint") {
          const sp = await deps.sharePoint.get({ ...options, ...geoOption(policy.policy) });
          const uri = policy.keyType === "primary" ? sp.primaryKeyUri : sp.secondaryKeyUri;
          policy.reportedKeyUri = uri;
          if (is(sp.state, "Registered") && tryParseKeyUri(uri)?.version === state.newVersion) policy.status = "confirmed";
        } else {
          const report = await deps.workloads!.reportedKeyVersion({ workload: policy.workload, name: policy.policy, keyUris: [], changedAt: policy.changedBefore }, options);
          policy.changedAfter = report.changedAt;
          // Exchange reports no key version: the refresh landed when WhenChanged moved (or, without WhenChanged, when the cmdlet succeeded).
          const landed = report.version !== undefined ? report.version === state.newVersion : !policy.changedBefore || !report.changedAt || report.changedAt > policy.changedBefore;
          if (landed) policy.status = "confirmed";
        }
      }
      if (state.policies.every((p) => p.status === "confirmed")) state.step = "verify";
      return state;
    }
    case "verify": {
      const newKeyUri = versionedKeyUri(key, state.newVersion!);
      const previousKeyUri = versionedKeyUri(key, state.previousVersion!);
      if (!(await deps.keys.isEnabled(newKeyUri, options))) {
        throw new PreconditionFailedError("ERR_KEY_URI_UNUSABLE", `The new version ${newKeyUri} is no longer enabled; the workloads were moved onto it. Enable it again (Update-AzKeyVaultKey -Enable $true).`);
      }
      for (const policy of state.policies.filter((p) => p.workload === "sharePoint")) {
        const sp = await deps.sharePoint.get({ ...options, ...geoOption(policy.policy) });
        const uri = policy.keyType === "primary" ? sp.primaryKeyUri : sp.secondaryKeyUri;
        if (tryParseKeyUri(uri)?.version !== state.newVersion) {
          throw new PreconditionFailedError("ERR_SHAREPOINT_POLICY_CONFLICT", `SharePoint Online${policy.policy ? ` (geo ${policy.policy})` : ""} now reports ${uri ?? "no key"} as its ${policy.keyType} key, not ${newKeyUri}: someone changed it during the roll.`);
        }
      }
      state.step = "done";
      return { ...state, status: "succeeded", result: { previousKeyUri, newKeyUri, backupFile: state.backupFile!, policies: state.policies } };
    }
    default:
      return state;
  }
}

/** The policies that use the key: Exchange and multi-workload DEPs, and each geo's SharePoint policy naming it as primary or secondary. */
async function discover(deps: KeyRollDependencies, key: ParsedKeyUri, options: OperationOptions): Promise<KeyRollPolicyState[]> {
  const policies: KeyRollPolicyState[] = [];
  for (const dep of deps.workloads ? await deps.workloads.listPoliciesUsingKey(key.versionlessId, options) : []) {
    policies.push({ workload: dep.workload, policy: dep.name, status: "pending", ...(dep.changedAt ? { changedBefore: dep.changedAt } : {}) });
  }
  for (const sp of await deps.sharePoint.list(options)) {
    for (const keyType of ["primary", "secondary"] as const) {
      const uri = tryParseKeyUri(keyType === "primary" ? sp.primaryKeyUri : sp.secondaryKeyUri);
      if (uri && sameKey(uri, key)) policies.push({ workload: "sharePoint", policy: sp.geo, keyType, status: "pending" });
    }
  }
  return policies;
}

/** One poll of a geo's SharePoint roll: start it when SharePoint is free, else follow it. */
async function advanceSharePoint(deps: KeyRollDependencies, policy: KeyRollPolicyState, newKeyUri: string, options: OperationOptions): Promise<void> {
  const request = { ...options, ...geoOption(policy.policy), keyType: policy.keyType!, keyUri: newKeyUri };
  if (!policy.sharePointOperation) {
    const sp = await deps.sharePoint.get({ ...options, ...geoOption(policy.policy) });
    if (is(sp.state, "Registering") || is(sp.state, "Rolling")) {
      // Another registration or roll runs (ours of the other key, or someone's): wait for it.
      policy.status = "waiting";
      policy.progressPercent = sp.progressPercent;
      return;
    }
  }
  const poller = deps.sharePoint.beginRollKey({ ...request, ...(policy.sharePointOperation ? { resumeFrom: policy.sharePointOperation } : {}) });
  await poller.poll(options.abortSignal ? { abortSignal: options.abortSignal } : {});
  policy.sharePointOperation = await poller.serialize();
  policy.progressPercent = poller.operationState.progressPercent;
  const status = poller.operationState.status;
  if (status === "failed" || status === "canceled") {
    const error = poller.operationState.error;
    throw new PreconditionFailedError("ERR_KEY_ROLL_WORKLOAD_FAILED", `SharePoint Online's roll${policy.policy ? ` (geo ${policy.policy})` : ""} of the ${policy.keyType} key failed: ${error?.message ?? status}.`);
  }
  policy.status = status === "succeeded" ? "updated" : "updating";
}
