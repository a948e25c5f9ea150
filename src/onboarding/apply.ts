/**
 * onboarding.beginApply: runs a plan one step per poll. Each step re-reads the state it acts on
 * (so a resumed step never makes a second key version, backup file or assignment), records its
 * end in the journal. It writes no audit line of its own: every change goes through a module method
 * (keys.create, vaultPairs.beginApply, policies.exchange.beginAssign …), which writes one line per
 * change with the service's request id, so a line here would record the same change twice. It stops at a waiting point
 * (Do-Not-Cancel approval, Microsoft's onboarding request) with status `waiting`, and before any
 * policy when a preflight report fails (OnboardingPreflightError carrying the report).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";
import { createPoller, type CustomerKeyPoller, type PollerState } from "../internal/poller.js";
import type { OnboardingConfig, OnboardingWorkload } from "./config-types.js";
import type { OnboardingServices } from "./dependencies.js";
import { Journal } from "./journal.js";
import { mailboxList, memberVault, pairSpec, sortMailboxes, versionless } from "./plan.js";
import type { OnboardingApplyOptions, OnboardingApplyResult, OnboardingPlan, OnboardingStep } from "./types.js";

/** The preflight report of a pair failed: no policy was made. `report` is the PreflightReport. */
export class OnboardingPreflightError extends PreconditionFailedError {
  /** The failing report (a PreflightReport). */
  readonly report: unknown;
  /** The ids of the failing checks. */
  readonly failedChecks: readonly string[];
  /** Makes the error. */
  constructor(workload: string, report: unknown, failedChecks: string[]) {
    super("ERR_PREFLIGHT_FAILED", `The preflight report of the ${workload} pair failed (${failedChecks.join(", ")}); no policy was made. Fix the checks (see the report's fixes) and apply again.`);
    this.report = report;
    this.failedChecks = failedChecks;
  }
}

/**
 * Mailboxes listed for an Exchange policy have another policy that its `reassignFrom` does not name.
 * Moving a mailbox re-encrypts its data under other keys, so it needs the configuration to ask for
 * it; none of the step's mailboxes was changed.
 */
export class OnboardingReassignRefusedError extends PreconditionFailedError {
  /** The policy the step assigns. */
  readonly policy: string;
  /** The mailboxes refused, each with the policy it has. */
  readonly mailboxes: readonly { mailbox: string; policy: string }[];
  /** Makes the error. */
  constructor(policy: string, refused: { mailbox: string; policy: string }[]) {
    const others = [...new Set(refused.map((r) => r.policy))];
    const examples = refused.slice(0, 3).map((r) => `${r.mailbox} (${r.policy})`).join(", ");
    super(
      "ERR_MAILBOX_HAS_OTHER_POLICY",
      `${refused.length} mailbox(es) listed for '${policy}' have another data encryption policy: ${examples}${refused.length > 3 ? ", …" : ""}. Moving them re-encrypts their data under '${policy}'s keys, so no mailbox of this step was changed. ` +
        `To move them, add reassignFrom: ${JSON.stringify(others)} to policy '${policy}' and apply again; otherwise take them off its mailboxes.`,
    );
    this.policy = policy;
    this.mailboxes = refused;
  }
}

/** The state of an onboarding apply after each step. */
export interface OnboardingApplyState extends PollerState<OnboardingApplyResult> {
  /** The index of the next step. */
  next: number;
  /** Steps in the plan. */
  total: number;
}

/** Digest of the configuration the journal belongs to. */
export function configFingerprint(config: OnboardingConfig): string {
  const { $schema: _ignored, microsoft: _m, ...rest } = config;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 32);
}

type Outcome = { outcome: "done" | "skipped" | "checked" } | { outcome: "waiting"; instructions: string };

export function beginApplyOnboarding(
  context: ClientContext,
  services: OnboardingServices,
  plan: OnboardingPlan,
  options: OnboardingApplyOptions,
): CustomerKeyPoller<OnboardingApplyState, OnboardingApplyResult> {
  const config = plan.config;
  const result: OnboardingApplyResult = { status: "completed", changed: [], skipped: [], checked: [], keys: {} };
  let journal: Journal | undefined;

  const keyIdOf = async (workload: OnboardingWorkload, member: "primary" | "secondary", o: OperationOptions): Promise<string> => {
    const slot = `${workload}/${member}`;
    const known = journal!.data.keys[slot];
    if (known) return known;
    const pair = config.vaultPairs[workload]!;
    const id = await services.currentKeyId(memberVault(config, pair, member), pair.keyName, o);
    if (!id) throw new PreconditionFailedError("ERR_KEY_NOT_FOUND", `Key ${pair.keyName} is not in ${pair[member].vaultName}; apply the keys steps first.`);
    await journal!.recordKey(slot, id);
    return id;
  };
  const keyUrisOf = async (p: { vaultPair?: OnboardingWorkload | undefined; keyUris?: [string, string] | undefined }, o: OperationOptions): Promise<[string, string]> =>
    p.keyUris ?? [versionless(await keyIdOf(p.vaultPair!, "primary", o)), versionless(await keyIdOf(p.vaultPair!, "secondary", o))];

  const run = async (step: OnboardingStep, o: OperationOptions): Promise<Outcome> => {
    const [phase, a, b, c] = step.id.split("/") as [string, string, string?, string?];
    switch (phase) {
      case "doNotCancel": {
        const sub = config.subscriptions[a as "primary" | "secondary"];
        const before = await services.doNotCancel(sub, o);
        const registered = (s: typeof before) => /^registered$/i.test(s.featureState) && /^registered$/i.test(s.providerState);
        if (registered(before)) return { outcome: "skipped" };
        if (b === "register") {
          if (/^(pending|registering|registered)$/i.test(before.featureState)) return { outcome: "skipped" };
          const after = await services.registerDoNotCancel(sub, o);
          return { outcome: "done" };
        }
        // approval: once Microsoft approved the feature, register the Key Vault provider.
        if (/^registered$/i.test(before.featureState)) {
          const after = await services.registerDoNotCancel(sub, o);
          if (registered(after)) return { outcome: "done" };
          return { outcome: "waiting", instructions: `Microsoft.KeyVault is ${after.providerState} on ${sub}; apply again in a few minutes.` };
        }
        return { outcome: "waiting", instructions: `Do-Not-Cancel is ${before.featureState} on subscription ${sub}: Microsoft approves it (days). Apply again once approved.` };
      }
      case "vaults": {
        const workload = a as OnboardingWorkload;
        const spec = pairSpec(config, workload, config.vaultPairs[workload]!);
        const before = await services.planVaultPair(spec, o);
        if (before.problems.length > 0) throw new PreconditionFailedError("ERR_PLAN_HAS_PROBLEMS", `The ${workload} vault pair cannot be applied: ${before.problems.join("; ")}`);
        if (before.changes.length === 0) return { outcome: "skipped" };
        await services.applyVaultPair(spec, o);
        return { outcome: "done" };
      }
      case "keys": {
        const workload = a as OnboardingWorkload;
        const member = b as "primary" | "secondary";
        const pair = config.vaultPairs[workload]!;
        // keys.create is idempotent: an existing matching key is returned, never a second version.
        const { keyId, created } = await services.createKey(memberVault(config, pair, member), pair.keyName, config.keys, o);
        await journal!.recordKey(`${workload}/${member}`, keyId);
        if (!created) return { outcome: "skipped" };
        return { outcome: "done" };
      }
      case "backups": {
        const keyId = await keyIdOf(a as OnboardingWorkload, b as "primary" | "secondary", o);
        const directory = config.backups.directories[Number(c)]!;
        if (await services.hasBackup(directory, keyId, o)) return { outcome: "skipped" };
        const { file } = await services.backupKey(directory, keyId, o);
        return { outcome: "done" };
      }
      case "microsoft": {
        if (config.microsoft.onboardingRequestSubmitted) return { outcome: "skipped" };
        const uris: string[] = [];
        for (const w of ["exchange", "sharePoint", "multiWorkload"] as const) if (config.vaultPairs[w]) for (const m of ["primary", "secondary"] as const) uris.push(`${w} ${m}: ${await keyIdOf(w, m, o)}`);
        return { outcome: "waiting", instructions: `Send Microsoft the onboarding request with these key URIs, then set microsoft.onboardingRequestSubmitted: true and apply again:\n${uris.map((u) => `  ${u}`).join("\n")}` };
      }
      case "preflight": {
        const workload = a as OnboardingWorkload;
        const pair = config.vaultPairs[workload]!;
        const uris = [versionless(await keyIdOf(workload, "primary", o)), versionless(await keyIdOf(workload, "secondary", o))];
        const { ok, report, failed } = await services.preflight(pairSpec(config, workload, pair), uris, config.backups.directories[0]!, o);
        if (!ok) throw new OnboardingPreflightError(workload, report, failed);
        return { outcome: "checked" };
      }
      case "policies": {
        if (a === "exchange") {
          const policy = config.policies.exchange.find((p) => p.name === b)!;
          if (await services.exchangePolicy(policy.name, o)) return { outcome: "skipped" };
          const keyUris = await keyUrisOf(policy, o);
          await services.createExchangePolicy({ name: policy.name, ...(policy.description ? { description: policy.description } : {}), keyUris }, o);
          return { outcome: "done" };
        }
        if (a === "sharePoint") {
          const policy = config.policies.sharePoint.find((p) => (p.geo ?? "default") === b)!;
          const before = await services.sharePointPolicy(policy.geo, o);
          if (before?.primaryKeyUri) return { outcome: "skipped" };
          const keyUris = await keyUrisOf(policy, o);
          await services.registerSharePoint(policy.geo, keyUris, o);
          return { outcome: "done" };
        }
        const multi = config.policies.multiWorkload!;
        if (await services.multiWorkloadPolicy(multi.name, o)) return { outcome: "skipped" };
        const keyUris = await keyUrisOf(multi, o);
        await services.createMultiWorkloadPolicy({ name: multi.name, ...(multi.description ? { description: multi.description } : {}), keyUris }, o);
        return { outcome: "done" };
      }
      case "assignments": {
        if (a === "exchange") {
          const policy = config.policies.exchange.find((p) => p.name === b)!;
          const boxes = policy.mailboxes!;
          let list: string[] | { allWithoutPolicy: true } = boxes as { allWithoutPolicy: true };
          if (!("allWithoutPolicy" in boxes)) {
            // Re-read now (the plan may be old): a mailbox with a policy reassignFrom does not name stops the step before any change.
            const s = await sortMailboxes(services, policy.name, policy.reassignFrom, await mailboxList(boxes), o);
            if (s.refused.length > 0) throw new OnboardingReassignRefusedError(policy.name, s.refused);
            list = [...s.withoutPolicy, ...s.moved.map((m) => m.mailbox)];
            if (list.length === 0) return { outcome: "skipped" };
          }
          const checkpoint = options.journal ? `${options.journal}.assign-${policy.name}.json` : undefined;
          const report = options.onAssignmentProgress;
          const r = await services.assignExchangePolicy(list, policy.name, checkpoint, o, report && ((p) => report({ policy: policy.name, done: p.done, failed: p.failed, total: p.remaining === undefined ? undefined : p.done + p.failed + p.remaining, rate: p.rate })));
          if (r.failed > 0) throw new PreconditionFailedError("ERR_SERVICE_FAILED", `${r.failed} mailbox(es) could not get ${policy.name}; apply again to retry them.`);
          if (r.done === 0) return { outcome: "skipped" };
          return { outcome: "done" };
        }
        const multi = config.policies.multiWorkload!;
        const before = await services.multiWorkloadAssignment(o);
        if (before?.toLowerCase() === multi.name.toLowerCase()) return { outcome: "skipped" };
        await services.assignMultiWorkload(multi.name, o);
        return { outcome: "done" };
      }
      default:
        throw new PreconditionFailedError("ERR_PLAN_MISMATCH", `Unknown step ${step.id}.`);
    }
  };

  const poller = createPoller<OnboardingApplyState, OnboardingApplyResult>({
    kind: "onboarding.beginApply",
    initialState: { status: "notStarted", next: 0, total: plan.steps.length },
    intervalInMs: 0,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    operation: { name: "onboarding.beginApply", context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
    step: async (previous, o) => {
      journal ??= await Journal.open(options.journal, configFingerprint(config));
      const state: OnboardingApplyState = { ...previous, status: "running" };
      const step = plan.steps[state.next];
      if (!step) {
        await journal.complete();
        result.keys = { ...journal.data.keys };
        return { ...state, status: "succeeded", result: { ...result } };
      }
      let outcome: Outcome;
      if (journal.isDone(step.id) || step.kind === "noop") {
        // Recorded as finished, or found done when planned: nothing to send.
        outcome = { outcome: "skipped" };
      } else {
        await journal.begin(step.id);
        outcome = await run(step, o);
      }
      if (outcome.outcome === "waiting") {
        await journal.save();
        result.keys = { ...journal.data.keys };
        options.onProgress?.({ step, outcome: "waiting", completed: state.next, total: state.total });
        return { ...state, status: "succeeded", result: { ...result, status: "waiting", waitingFor: step, instructions: outcome.instructions } };
      }
      if (step.kind !== "noop" || !journal.isDone(step.id)) await journal.finish(step.id);
      (outcome.outcome === "done" ? result.changed : outcome.outcome === "checked" ? result.checked : result.skipped).push(step.id);
      options.onProgress?.({ step, outcome: outcome.outcome, completed: state.next + 1, total: state.total });
      return { ...state, next: state.next + 1 };
    },
  });
  return poller;
}
