/** Public types of the subscriptions module. */
import type { DoNotCancelState } from "../azure/arm-subscriptions.js";
import type { PollerState } from "../internal/poller.js";
import type { OperationOptions } from "../internal/operation.js";

/** Where `beginRegisterDoNotCancel` stands: not started, waiting for Microsoft's approval (days), registering Microsoft.KeyVault, or done. */
export type DoNotCancelPhase = "notStarted" | "awaitingFeature" | "registeringProvider" | "done";

/** The serialisable progress of `beginRegisterDoNotCancel` (JSON; resume it with `resumeFrom`). */
export interface DoNotCancelOperationState extends PollerState<DoNotCancelState> {
  /** The subscription (a GUID). */
  subscriptionId: string;
  /** The phase reached. */
  phase: DoNotCancelPhase;
  /** The last feature state read, e.g. `Pending`. */
  featureState: string;
  /** The last provider state read, e.g. `Registering`. */
  providerState: string;
  /** ISO times (wall clock of the machine running the SDK). */
  startedAt: string;
  /** ISO time of the last poll. */
  updatedAt: string;
  /** ISO time the feature registration was requested. */
  featureRegistrationRequestedAt?: string;
  /** ISO time the feature was seen `Registered`. */
  featureRegisteredAt?: string;
  /** ISO time the provider registration was requested. */
  providerRegistrationRequestedAt?: string;
  /** ISO time the operation completed. */
  completedAt?: string;
}

/** Options of `subscriptions.beginRegisterDoNotCancel`. */
export interface BeginRegisterDoNotCancelOptions extends OperationOptions {
  /** `poller.serialize()` of an earlier run, possibly from another process. */
  resumeFrom?: string;
  /** Poll interval; default the client's `pollIntervalInMs`. Approval takes days: persist and resume. */
  updateIntervalInMs?: number;
  /** Called with the state after each poll (the same as `poller.onProgress`). */
  onProgress?: (state: DoNotCancelOperationState) => void;
}
