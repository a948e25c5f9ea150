/** Public types of the subscriptions module. */
import type { DoNotCancelState } from "../azure/arm-subscriptions.js";
import type { PollerState } from "../internal/poller.js";
import type { OperationOptions } from "../internal/operation.js";

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
