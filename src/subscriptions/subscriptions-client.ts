/**
 * Subscriptions: read one, and make it Do-Not-Cancel (register the mandatory retention period
 * feature, wait for Microsoft's approval, then register Microsoft.KeyVault).
 */
import { InvalidInputError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { validateSubscriptionId } from "../rules/ids.js";
import { SubscriptionReads, type DoNotCancelState, type SubscriptionInfo } from "../azure/arm-subscriptions.js";
import { DO_NOT_CANCEL_FEATURE_NAME, DO_NOT_CANCEL_NAMESPACE, KEY_VAULT_PROVIDER } from "../rules/do-not-cancel.js";
import { createPoller, type CustomerKeyPoller } from "../internal/poller.js";
import { withRetry } from "../internal/retry.js";
import { runOperation } from "../internal/operation.js";
import type { BeginRegisterDoNotCancelOptions, DoNotCancelOperationState } from "./types.js";
import type { OperationOptions } from "../internal/operation.js";

export const DO_NOT_CANCEL_POLLER_KIND = "customer-key.subscriptions.registerDoNotCancel";

const is = (state: string | undefined, expected: string) => (state ?? "").toLowerCase() === expected.toLowerCase();
/** States in which asking to register again would be pointless: it is already on its way or done. */
const inFlight = (state: string) => ["pending", "registering", "registered"].includes(state.toLowerCase());

/** `client.subscriptions`: subscription reads and Do-Not-Cancel registration. */
export interface SubscriptionsOperations {
  /** Reads a subscription (`GET /subscriptions/{id}`). */
  get(subscriptionId: string, options?: OperationOptions): Promise<SubscriptionInfo>;
  /** Feature and provider states, and whether the subscription is protected (feature `Registered`). */
  getDoNotCancelState(subscriptionId: string, options?: OperationOptions): Promise<DoNotCancelState>;
  /**
   * Registers Do-Not-Cancel and follows it to the end: feature `NotRegistered` → `Pending` (days,
   * until Microsoft approves) → `Registered`, then registers `Microsoft.KeyVault` and waits for it.
   * Idempotent: an already registered feature or provider is not registered again. Persist
   * `await poller.serialize()` and resume in any process with `{ resumeFrom }`.
   */
  beginRegisterDoNotCancel( subscriptionId: string, options?: BeginRegisterDoNotCancelOptions): CustomerKeyPoller<DoNotCancelOperationState, DoNotCancelState>;
}

/** Implements SubscriptionsOperations; built by the facade from the internal context. @internal */
export class SubscriptionsClient implements SubscriptionsOperations {
  readonly #context: ClientContext;
  readonly #reads: SubscriptionReads;

  constructor(context: ClientContext, reads: SubscriptionReads) {
    this.#context = context;
    this.#reads = reads;
  }

  /** Reads a subscription (`GET /subscriptions/{id}`). */
  get(subscriptionId: string, options: OperationOptions = {}): Promise<SubscriptionInfo> {
    return runOperation(this.#context, "subscriptions.get", options, async (options) => {
      return this.#reads.get(subscriptionId, options);
    });
  }

  /** Feature and provider states, and whether the subscription is protected (feature `Registered`). */
  getDoNotCancelState(subscriptionId: string, options: OperationOptions = {}): Promise<DoNotCancelState> {
    return runOperation(this.#context, "subscriptions.getDoNotCancelState", options, async (options) => {
      return this.#reads.getDoNotCancelState(subscriptionId, options);
    });
  }

  /**
   * Registers Do-Not-Cancel and follows it to the end: feature `NotRegistered` → `Pending` (days,
   * until Microsoft approves) → `Registered`, then registers `Microsoft.KeyVault` and waits for it.
   * Idempotent: an already registered feature or provider is not registered again. Persist
   * `await poller.serialize()` and resume in any process with `{ resumeFrom }`.
   */
  beginRegisterDoNotCancel(
    subscriptionId: string,
    options: BeginRegisterDoNotCancelOptions = {},
  ): CustomerKeyPoller<DoNotCancelOperationState, DoNotCancelState> {
    validateSubscriptionId(subscriptionId);
    const now = new Date().toISOString();
    const initial: DoNotCancelOperationState = {
      status: "notStarted",
      subscriptionId,
      phase: "notStarted",
      featureState: "Unknown",
      providerState: "Unknown",
      startedAt: now,
      updatedAt: now,
    };
    const poller = createPoller<DoNotCancelOperationState, DoNotCancelState>({
      kind: DO_NOT_CANCEL_POLLER_KIND,
      initialState: options.resumeFrom ?? initial,
      intervalInMs: options.updateIntervalInMs ?? this.#context.pollIntervalInMs,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      step: (state, stepOptions) => this.#step(state, stepOptions),
      operation: { name: "subscriptions.beginRegisterDoNotCancel", context: this.#context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
    });
    if (options.resumeFrom && poller.operationState.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw new InvalidInputError("ERR_POLLER_STATE_INVALID", `resumeFrom belongs to subscription ${poller.operationState.subscriptionId}, not ${subscriptionId}.`, { field: "resumeFrom" });
    }
    if (options.onProgress) poller.onProgress(options.onProgress);
    return poller;
  }

  async #step(previous: DoNotCancelOperationState, options: OperationOptions): Promise<DoNotCancelOperationState> {
    const state: DoNotCancelOperationState = { ...previous, status: "running" };
    const sub = state.subscriptionId;
    const log = this.#context.logger;
    const touch = () => (state.updatedAt = new Date().toISOString());

    if (state.phase === "notStarted" || state.phase === "awaitingFeature") {
      state.featureState = await this.#reads.featureState(sub, options);
      if (!inFlight(state.featureState)) {
        // Register is safe to repeat (it only asks again), so it may be retried.
        const result = await this.#context.audit.change(
          { what: "subscriptions.registerDoNotCancel", target: `/subscriptions/${sub}/providers/Microsoft.Features/providers/${DO_NOT_CANCEL_NAMESPACE}/features/${DO_NOT_CANCEL_FEATURE_NAME}`, before: { featureState: state.featureState } },
          () => withRetry("subscriptions.registerFeature", () =>
            this.#context.features(sub).features.register(DO_NOT_CANCEL_NAMESPACE, DO_NOT_CANCEL_FEATURE_NAME, options),
          this.#context.retryOptions(options)),
          (r) => ({ featureState: r.properties?.state ?? "Pending" }),
        );
        state.featureState = result.properties?.state ?? "Pending";
        state.featureRegistrationRequestedAt = new Date().toISOString();
        log.info(`Do-Not-Cancel requested on subscription ${sub}: ${state.featureState}; Microsoft approves it, which takes days.`);
      }
      state.phase = "awaitingFeature";
      if (!is(state.featureState, "Registered")) {
        touch();
        return state;
      }
      state.featureRegisteredAt ??= new Date().toISOString();
      state.phase = "registeringProvider";
      log.info(`Do-Not-Cancel is Registered on subscription ${sub}; registering ${KEY_VAULT_PROVIDER}.`);
    }

    if (state.phase === "registeringProvider") {
      state.providerState = await this.#reads.providerState(sub, options);
      if (!inFlight(state.providerState)) {
        const result = await this.#context.audit.change(
          { what: "subscriptions.registerKeyVaultProvider", target: `/subscriptions/${sub}/providers/${KEY_VAULT_PROVIDER}`, before: { providerState: state.providerState } },
          () => withRetry("subscriptions.registerProvider", () =>
            this.#context.resources(sub).providers.register(KEY_VAULT_PROVIDER, options),
          this.#context.retryOptions(options)),
          (r) => ({ providerState: r.registrationState ?? "Registering" }),
        );
        state.providerState = result.registrationState ?? "Registering";
        state.providerRegistrationRequestedAt = new Date().toISOString();
      }
      if (is(state.providerState, "Registered")) {
        state.phase = "done";
        state.status = "succeeded";
        state.completedAt = new Date().toISOString();
        state.result = { subscriptionId: sub, featureState: state.featureState, providerState: state.providerState, protected: true };
      }
    }
    touch();
    return state;
  }
}
