/** client.onboarding: plan and apply a whole Customer Key onboarding from one configuration. */
import type { ClientContext } from "../internal/context.js";
import { runOperation } from "../internal/operation.js";
import type { CustomerKeyPoller } from "../internal/poller.js";
import { beginApplyOnboarding, type OnboardingApplyState } from "./apply.js";
import type { OnboardingConfig } from "./config-types.js";
import type { OnboardingServices } from "./dependencies.js";
import { parseOnboardingConfig } from "./load-config.js";
import { planOnboarding } from "./plan.js";
import type { OnboardingApplyOptions, OnboardingApplyResult, OnboardingPlan, OnboardingPlanOptions } from "./types.js";

/** Onboarding from one declarative configuration: plan (read-only), then apply (journaled, resumable). */
export interface OnboardingOperations {
  /**
   * Every change before it happens, in order (Do-Not-Cancel → vaults and access → keys → backups →
   * preflight → policies → assignments), each with its kind, target and reason, read from the current
   * state (nothing is changed). Steps only Microsoft can do are `wait` steps. The configuration is
   * checked first (OnboardingConfigError `ERR_CONFIG_INVALID`).
   */
  plan(config: OnboardingConfig, options?: OnboardingPlanOptions): Promise<OnboardingPlan>;
  /**
   * Runs a plan step by step. With `journal`, each finished step is recorded atomically and a later
   * apply (after a crash, a kill or an abort) resumes after it; the step it was in is re-read before
   * acting. Ends `completed`, or `waiting` at a step only Microsoft can do (apply again later). A failed
   * preflight stops it before any policy (OnboardingPreflightError `ERR_PREFLIGHT_FAILED`).
   */
  beginApply(plan: OnboardingPlan, options?: OnboardingApplyOptions): CustomerKeyPoller<OnboardingApplyState, OnboardingApplyResult>;
}

/** Implements OnboardingOperations; built by the facade. @internal */
export class OnboardingClient implements OnboardingOperations {
  constructor(private readonly context: ClientContext, private readonly services: OnboardingServices) {}

  plan(config: OnboardingConfig, options: OnboardingPlanOptions = {}): Promise<OnboardingPlan> {
    const checked = parseOnboardingConfig(config);
    // A parsed file keeps its resolved paths (parse again only checks it).
    checked.backups.directories = config.backups.directories;
    checked.policies.exchange.forEach((p, i) => (p.mailboxes = config.policies.exchange[i]!.mailboxes));
    return runOperation(this.context, "onboarding.plan", options, (o) => planOnboarding(this.services, checked, o));
  }

  beginApply(plan: OnboardingPlan, options: OnboardingApplyOptions = {}): CustomerKeyPoller<OnboardingApplyState, OnboardingApplyResult> {
    return beginApplyOnboarding(this.context, this.services, plan, options);
  }
}
