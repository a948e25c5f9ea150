/**
 * onboarding.plan: reads the current state (never writes) and lists every step of the onboarding
 * in the order apply runs them, each with its kind, target and the reason read from the state.
 */
import { readFile } from "node:fs/promises";
import type { OperationOptions } from "../internal/operation.js";
import { statusOf } from "../internal/service-errors.js";
import type { VaultPairSpec } from "../rules/vault-pair-spec.js";
import type { OnboardingConfig, OnboardingVaultPair, OnboardingWorkload } from "./config-types.js";
import type { OnboardingServices } from "./dependencies.js";
import { formatPlan } from "./plan-format.js";
import type { OnboardingPlan, OnboardingStep, OnboardingStepKind } from "./types.js";

export const WORKLOADS: readonly OnboardingWorkload[] = ["exchange", "sharePoint", "multiWorkload"];
export const MEMBERS = ["primary", "secondary"] as const;

/** The VaultPairSpec of one workload's pair in the configuration. */
export function pairSpec(config: OnboardingConfig, workload: OnboardingWorkload, pair: OnboardingVaultPair): VaultPairSpec {
  return {
    workload,
    permissionModel: config.permissionModel,
    administrators: config.administrators,
    primary: { subscriptionId: config.subscriptions.primary, ...pair.primary },
    secondary: { subscriptionId: config.subscriptions.secondary, ...pair.secondary },
    key: { name: pair.keyName, size: config.keys.size, protection: config.keys.protection },
    ...(pair.allowPairedRegions ? { allowPairedRegions: true } : {}),
  };
}

/** The vault coordinates of a pair member. */
export function memberVault(config: OnboardingConfig, pair: OnboardingVaultPair, member: "primary" | "secondary") {
  return { subscriptionId: config.subscriptions[member], resourceGroup: pair[member].resourceGroup, vaultName: pair[member].vaultName };
}

/** The versionless key URI a pair member's key will have in the client's cloud. */
export function plannedKeyUri(services: Pick<OnboardingServices, "vaultUrl">, pair: OnboardingVaultPair, member: "primary" | "secondary"): string {
  return `${services.vaultUrl(pair[member].vaultName)}/keys/${pair.keyName}`;
}

/** The mailboxes a policy names, read from the file when it names one. */
export async function mailboxList(mailboxes: { list: string[] } | { file: string }): Promise<string[]> {
  if ("list" in mailboxes) return mailboxes.list;
  const text = await readFile(mailboxes.file, "utf8");
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

/** The listed mailboxes of an Exchange policy, sorted by the policy each has now. */
export interface MailboxSorting {
  /** Have no policy (or the read did not find them): assigned. */
  withoutPolicy: string[];
  /** Have a policy that `reassignFrom` names: moved (their data is re-encrypted under this policy). */
  moved: { mailbox: string; policy: string }[];
  /** Have another policy that `reassignFrom` does not name: the step refuses. */
  refused: { mailbox: string; policy: string }[];
}

/** Reads the policy of each listed mailbox and sorts them (reads only). */
export async function sortMailboxes(services: Pick<OnboardingServices, "mailboxPolicies">, policy: string, reassignFrom: readonly string[] | undefined, mailboxes: string[], options: OperationOptions): Promise<MailboxSorting> {
  const current = await services.mailboxPolicies(mailboxes, options);
  const movable = new Set((reassignFrom ?? []).map((n) => n.toLowerCase()));
  const sorting: MailboxSorting = { withoutPolicy: [], moved: [], refused: [] };
  mailboxes.forEach((mailbox, i) => {
    const has = current[i] ?? null;
    if (has === null) sorting.withoutPolicy.push(mailbox);
    else if (has.toLowerCase() === policy.toLowerCase()) return;
    else (movable.has(has.toLowerCase()) ? sorting.moved : sorting.refused).push({ mailbox, policy: has });
  });
  return sorting;
}

/** "2 with EU_mailboxes, 1 with Other" */
const byPolicy = (boxes: { policy: string }[]) => {
  const counts = new Map<string, number>();
  for (const b of boxes) counts.set(b.policy, (counts.get(b.policy) ?? 0) + 1);
  return [...counts].map(([p, n]) => `${n} with ${p}`).join(", ");
};
const policyNames = (boxes: { policy: string }[]) => [...new Set(boxes.map((b) => b.policy))];

/** The reason of an assignment step: the refusal first (the text plan cuts long lines), then the counts. */
export function assignmentReason(s: MailboxSorting): string {
  const missing = s.withoutPolicy.length + s.moved.length + s.refused.length;
  if (missing === 0) return "every mailbox has it";
  if (s.refused.length > 0) {
    return `refused: ${byPolicy(s.refused)} (reassignFrom: ${JSON.stringify(policyNames(s.refused))} moves them); ${s.withoutPolicy.length} without a policy${s.moved.length ? `, ${s.moved.length} to move` : ""}`;
  }
  if (s.moved.length === 0) return `${missing} mailbox(es) without it`;
  return `${missing} mailbox(es) without it: ${s.withoutPolicy.length} without a policy, ${byPolicy(s.moved)} to move (reassignFrom)`;
}

/** The key id without its version. */
export const versionless = (keyId: string) => keyId.replace(/\/[0-9a-f]{32}$/i, "");

export class PlannedOnboarding implements OnboardingPlan {
  readonly summary: Record<OnboardingStepKind, number>;
  constructor(readonly config: OnboardingConfig, readonly steps: OnboardingStep[], readonly createdAt = new Date().toISOString()) {
    this.summary = { create: 0, update: 0, noop: 0, wait: 0, check: 0 };
    for (const s of steps) this.summary[s.kind] += 1;
  }
  format(): string {
    return formatPlan(this);
  }
  toJSON() {
    return { config: this.config, createdAt: this.createdAt, steps: this.steps.map((s) => ({ ...s })), summary: { ...this.summary } };
  }
}

/** Reads the state and makes the plan. */
export async function planOnboarding(services: OnboardingServices, config: OnboardingConfig, options: OperationOptions): Promise<PlannedOnboarding> {
  const steps: OnboardingStep[] = [];
  const add = (step: OnboardingStep) => steps.push(step);

  // 1. Do-Not-Cancel on both subscriptions: requested by API, approved by Microsoft (days).
  // Both requests first, then both approvals: Microsoft approves the two in parallel.
  const dnc = [];
  for (const member of MEMBERS) dnc.push({ member, sub: config.subscriptions[member], s: await services.doNotCancel(config.subscriptions[member], options) });
  for (const { member, sub, s } of dnc) {
    const registered = /^registered$/i.test(s.featureState) && /^registered$/i.test(s.providerState);
    const requested = /^(pending|registering|registered)$/i.test(s.featureState);
    add({ id: `doNotCancel/${member}/register`, phase: "doNotCancel", kind: registered || requested ? "noop" : "create", target: `subscription ${sub}`, reason: registered ? "Do-Not-Cancel registered" : requested ? `feature ${s.featureState}` : `feature ${s.featureState}: request the mandatory retention period` });
  }
  for (const { member, sub, s } of dnc) {
    const registered = /^registered$/i.test(s.featureState) && /^registered$/i.test(s.providerState);
    add({ id: `doNotCancel/${member}/approval`, phase: "doNotCancel", kind: registered ? "noop" : "wait", target: `subscription ${sub}`, reason: registered ? "approved by Microsoft" : "Microsoft approves Do-Not-Cancel (days); apply again once approved" });
  }

  // 2. Vaults and access, 3. keys, 4. backups: per workload's pair.
  const pairs = WORKLOADS.flatMap((w) => (config.vaultPairs[w] ? [[w, config.vaultPairs[w]!] as const] : []));
  // Pairs whose vaults step will change something (e.g. a vault a killed apply made before it
  // granted any access): their keys may not be readable yet, which the keys step settles.
  const vaultsPending = new Set<OnboardingWorkload>();
  for (const [workload, pair] of pairs) {
    const plan = await services.planVaultPair(pairSpec(config, workload, pair), options);
    if (plan.changes.length > 0 || plan.problems.length > 0) vaultsPending.add(workload);
    const target = `${pair.primary.vaultName} + ${pair.secondary.vaultName}`;
    if (plan.problems.length > 0) add({ id: `vaults/${workload}`, phase: "vaults", kind: "check", target, reason: `blocked: ${plan.problems.join("; ")}` });
    else add({ id: `vaults/${workload}`, phase: "vaults", kind: plan.changes.length === 0 ? "noop" : plan.changes.every((c) => c.startsWith("create")) ? "create" : "update", target, reason: plan.changes.length === 0 ? "vaults, access and roles as configured" : `${plan.changes.length} change(s): ${plan.changes.slice(0, 3).join("; ")}${plan.changes.length > 3 ? "; …" : ""}` });
  }
  const keyIds = new Map<string, string | undefined>();
  for (const [workload, pair] of pairs) {
    for (const member of MEMBERS) {
      let unreadable = false;
      const keyId = await services.currentKeyId(memberVault(config, pair, member), pair.keyName, options).catch((error: unknown) => {
        // 403 before the vaults step granted the administrator: unknown, not a failure. keys.create
        // is idempotent, so planning "create" never makes a second version of a key that exists.
        if (!vaultsPending.has(workload) || statusOf(error) !== 403) throw error;
        unreadable = true;
        return undefined;
      });
      keyIds.set(`${workload}/${member}`, keyId);
      add({ id: `keys/${workload}/${member}`, phase: "keys", kind: keyId ? "noop" : "create", target: `${pair[member].vaultName}/${pair.keyName}`, reason: keyId ? `exists: ${keyId}` : unreadable ? `not readable until the vaults step grants access; made if missing (RSA ${config.keys.size} ${config.keys.protection})` : `RSA ${config.keys.size} ${config.keys.protection}, no expiry` });
    }
  }
  for (const [workload, pair] of pairs) {
    for (const member of MEMBERS) {
      const keyId = keyIds.get(`${workload}/${member}`);
      for (const [i, directory] of config.backups.directories.entries()) {
        const has = keyId ? await services.hasBackup(directory, keyId, options) : false;
        add({ id: `backups/${workload}/${member}/${i}`, phase: "backups", kind: has ? "noop" : "create", target: `${pair[member].vaultName}/${pair.keyName} → ${directory}`, reason: has ? "current version backed up" : keyId ? "no backup of the current version" : "new key" });
      }
    }
  }
  const keyUrisOf = (p: { vaultPair?: OnboardingWorkload | undefined; keyUris?: [string, string] | undefined }): [string, string] => {
    if (p.keyUris) return p.keyUris;
    const pair = config.vaultPairs[p.vaultPair!]!;
    const found = (m: "primary" | "secondary") => keyIds.get(`${p.vaultPair}/${m}`);
    return [found("primary") ? versionless(found("primary")!) : plannedKeyUri(services, pair, "primary"), found("secondary") ? versionless(found("secondary")!) : plannedKeyUri(services, pair, "secondary")];
  };

  // The onboarding request Microsoft needs with the key URIs (a form, not an API).
  if (pairs.length > 0) {
    const uris = pairs.flatMap(([, pair]) => MEMBERS.map((m) => plannedKeyUri(services, pair, m)));
    add({ id: "microsoft/onboardingRequest", phase: "keys", kind: config.microsoft.onboardingRequestSubmitted ? "noop" : "wait", target: "Microsoft 365 onboarding request", reason: config.microsoft.onboardingRequestSubmitted ? "submitted (microsoft.onboardingRequestSubmitted)" : `send the key URIs to Microsoft (${uris.length}), then set microsoft.onboardingRequestSubmitted: true` });
  }

  // 5. Preflight of every pair, 6. policies, 7. assignments.
  for (const [workload, pair] of pairs) add({ id: `preflight/${workload}`, phase: "preflight", kind: "check", target: `${pair.primary.vaultName} + ${pair.secondary.vaultName}`, reason: "validate(target, { microsoft365: true }); no policy is made if it fails" });
  for (const policy of config.policies.exchange) {
    const found = await services.exchangePolicy(policy.name, options);
    const wanted = keyUrisOf(policy).map((u) => versionless(u).toLowerCase());
    const same = found && found.keyUris.map((u) => versionless(u).toLowerCase()).every((u, i) => u === wanted[i]);
    add({ id: `policies/exchange/${policy.name}`, phase: "policies", kind: !found ? "create" : same ? "noop" : "check", target: `Exchange DEP ${policy.name}`, reason: !found ? `keys ${wanted.join(", ")}` : same ? "exists with these keys" : "exists with other keys: refused (roll the keys instead)" });
  }
  for (const policy of config.policies.sharePoint) {
    const found = await services.sharePointPolicy(policy.geo, options);
    const registered = found !== undefined && !/^(unregistered|none|notregistered)$/i.test(found.state) && found.primaryKeyUri !== undefined;
    add({ id: `policies/sharePoint/${policy.geo ?? "default"}`, phase: "policies", kind: registered ? "noop" : "create", target: `SharePoint policy ${policy.geo ?? "(default geo)"}`, reason: registered ? `state ${found!.state}` : `register ${keyUrisOf(policy).join(", ")}` });
  }
  const multi = config.policies.multiWorkload;
  if (multi) {
    const found = await services.multiWorkloadPolicy(multi.name, options);
    add({ id: `policies/multiWorkload/${multi.name}`, phase: "policies", kind: found ? "noop" : "create", target: `multi-workload DEP ${multi.name}`, reason: found ? "exists" : `keys ${keyUrisOf(multi).join(", ")}` });
  }
  for (const policy of config.policies.exchange) {
    if (!policy.mailboxes) continue;
    const step = { id: `assignments/exchange/${policy.name}`, phase: "assignments", target: `mailboxes → ${policy.name}` } as const;
    if ("allWithoutPolicy" in policy.mailboxes) {
      const missing = await services.countMailboxesWithoutPolicy(options);
      add({ ...step, kind: missing === 0 ? "noop" : "update", reason: missing === 0 ? "every mailbox has it" : `${missing} mailbox(es) without it` });
      continue;
    }
    // A mailbox with another policy is moved only when reassignFrom names that policy: a move re-encrypts its data.
    const s = await sortMailboxes(services, policy.name, policy.reassignFrom, await mailboxList(policy.mailboxes), options);
    add({ ...step, kind: s.refused.length > 0 ? "check" : s.withoutPolicy.length + s.moved.length === 0 ? "noop" : "update", reason: assignmentReason(s) });
  }
  if (multi?.assign) {
    const assigned = await services.multiWorkloadAssignment(options);
    const same = assigned?.toLowerCase() === multi.name.toLowerCase();
    add({ id: `assignments/multiWorkload/${multi.name}`, phase: "assignments", kind: same ? "noop" : assigned ? "check" : "update", target: `tenant → ${multi.name}`, reason: same ? "assigned" : assigned ? `tenant has ${assigned}: refused (replacing needs a confirmation)` : "not assigned" });
  }
  return new PlannedOnboarding(config, steps);
}
