/**
 * Subscriptions: read one, and make it Do-Not-Cancel (register the mandatory retention period
 * feature, wait for Microsoft's approval, then register Microsoft.KeyVault).
 */
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { InvalidInputError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { isGuid } from "../internal/ids.js";
import { createPoller, type CustomerKeyPoller } from "../internal/poller.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import {
  DO_NOT_CANCEL_FEATURE_NAME,
  DO_NOT_CANCEL_NAMESPACE,
  KEY_VAULT_PROVIDER,
  type BeginRegisterDoNotCancelOptions,
  type DoNotCancelOperationState,
  type DoNotCancelState,
  type OperationOptions,
  type SubscriptionInfo,
} from "./types.js";

/** api-version of `GET /subscriptions/{id}` (Microsoft.Resources subscriptions API). */
const SUBSCRIPTIONS_API_VERSION = "2022-12-01";
export const DO_NOT_CANCEL_POLLER_KIND = "customer-key.subscriptions.registerDoNotCancel";

const is = (state: string | undefined, expected: string) => (state ?? "").toLowerCase() === expected.toLowerCase();
/** States in which asking to register again would be pointless: it is already on its way or done. */
const inFlight = (state: string) => ["pending", "registering", "registered"].includes(state.toLowerCase());

export function validateSubscriptionId(subscriptionId: string, field = "subscriptionId"): void {
  if (!isGuid(subscriptionId)) {
    throw new InvalidInputError("ERR_SUBSCRIPTION_ID_INVALID", `${field} '${String(subscriptionId)}' is not a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000).`, { field });
  }
}

export class SubscriptionsClient {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Reads a subscription. arm-resources 7 has no subscriptions operation group, so this sends a
   * plain GET through that client's own pipeline (same credential, scope, agent and options).
   */
  async get(subscriptionId: string, options: OperationOptions = {}): Promise<SubscriptionInfo> {
    validateSubscriptionId(subscriptionId);
    const client = this.#context.resources(subscriptionId);
    const url = `${this.#context.resourceManagerEndpoint}/subscriptions/${encodeURIComponent(subscriptionId)}?api-version=${SUBSCRIPTIONS_API_VERSION}`;
    const body = await withRetry("subscriptions.get", async () => {
      const request = createPipelineRequest({ url, method: "GET", ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) });
      const response = await client.sendRequest(request);
      const parsed = parseJson(response.bodyAsText ?? undefined);
      if (response.status >= 400) {
        const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new RestError(error?.message ?? `GET subscription failed with ${response.status}`, {
          statusCode: response.status,
          ...(error?.code ? { code: error.code } : {}),
          response,
        });
      }
      return parsed as Partial<SubscriptionInfo>;
    }, this.#context.retryOptions(options));
    return {
      subscriptionId: body.subscriptionId ?? subscriptionId,
      displayName: body.displayName ?? "",
      state: body.state ?? "Unknown",
      tenantId: body.tenantId ?? "",
    };
  }

  /** Feature and provider states, and whether the subscription is protected (feature `Registered`). */
  async getDoNotCancelState(subscriptionId: string, options: OperationOptions = {}): Promise<DoNotCancelState> {
    validateSubscriptionId(subscriptionId);
    const featureState = await this.#featureState(subscriptionId, options);
    const providerState = await this.#providerState(subscriptionId, options);
    return { subscriptionId, featureState, providerState, protected: is(featureState, "Registered") };
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
      state.featureState = await this.#featureState(sub, options);
      if (!inFlight(state.featureState)) {
        // Register is safe to repeat (it only asks again), so it may be retried.
        const result = await withRetry("subscriptions.registerFeature", () =>
          this.#context.features(sub).features.register(DO_NOT_CANCEL_NAMESPACE, DO_NOT_CANCEL_FEATURE_NAME, options),
        this.#context.retryOptions(options));
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
      state.providerState = await this.#providerState(sub, options);
      if (!inFlight(state.providerState)) {
        const result = await withRetry("subscriptions.registerProvider", () =>
          this.#context.resources(sub).providers.register(KEY_VAULT_PROVIDER, options),
        this.#context.retryOptions(options));
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

  async #featureState(subscriptionId: string, options: OperationOptions): Promise<string> {
    try {
      const feature = await withRetry("subscriptions.getFeature", () =>
        this.#context.features(subscriptionId).features.get(DO_NOT_CANCEL_NAMESPACE, DO_NOT_CANCEL_FEATURE_NAME, options),
      this.#context.retryOptions(options));
      return feature.properties?.state ?? "NotRegistered";
    } catch (error) {
      if (statusOf(error) === 404) return "NotRegistered";
      throw error;
    }
  }

  async #providerState(subscriptionId: string, options: OperationOptions): Promise<string> {
    try {
      const provider = await withRetry("subscriptions.getProvider", () =>
        this.#context.resources(subscriptionId).providers.get(KEY_VAULT_PROVIDER, options),
      this.#context.retryOptions(options));
      return provider.registrationState ?? "NotRegistered";
    } catch (error) {
      if (statusOf(error) === 404) return "NotRegistered";
      throw error;
    }
  }
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
