/** Public types of the subscriptions module. */
import type { PollerState } from "../internal/poller.js";

/** The feature that makes a subscription "Do Not Cancel" (mandatory retention period). */
export const DO_NOT_CANCEL_NAMESPACE = "Microsoft.Resources";
export const DO_NOT_CANCEL_FEATURE_NAME = "mandatoryRetentionPeriodEnabled";
/** The resource provider Customer Key vaults need, registered once the feature is approved. */
export const KEY_VAULT_PROVIDER = "Microsoft.KeyVault";

export interface OperationOptions {
  abortSignal?: AbortSignal;
}

/** A subscription as Resource Manager reports it. */
export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  /** `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted`. */
  state: string;
  tenantId: string;
}

/** Where Do-Not-Cancel stands on one subscription. */
export interface DoNotCancelState {
  subscriptionId: string;
  /** State of `Microsoft.Resources/mandatoryRetentionPeriodEnabled`, e.g. `NotRegistered`, `Pending`, `Registered`. */
  featureState: string;
  /** Registration state of `Microsoft.KeyVault`, e.g. `NotRegistered`, `Registering`, `Registered`. */
  providerState: string;
  /** True once Microsoft has approved the mandatory retention period (feature `Registered`). */
  protected: boolean;
}

export type DoNotCancelPhase = "notStarted" | "awaitingFeature" | "registeringProvider" | "done";

/** The serialisable progress of `beginRegisterDoNotCancel` (JSON; resume it with `resumeFrom`). */
export interface DoNotCancelOperationState extends PollerState<DoNotCancelState> {
  subscriptionId: string;
  phase: DoNotCancelPhase;
  featureState: string;
  providerState: string;
  /** ISO times (wall clock of the machine running the SDK). */
  startedAt: string;
  updatedAt: string;
  featureRegistrationRequestedAt?: string;
  featureRegisteredAt?: string;
  providerRegistrationRequestedAt?: string;
  completedAt?: string;
}

export interface BeginRegisterDoNotCancelOptions extends OperationOptions {
  /** `poller.serialize()` of an earlier run, possibly from another process. */
  resumeFrom?: string;
  /** Poll interval; default the client's `pollIntervalInMs`. Approval takes days: persist and resume. */
  updateIntervalInMs?: number;
  /** Called with the state after each poll (the same as `poller.onProgress`). */
  onProgress?: (state: DoNotCancelOperationState) => void;
}
