/**
 * Subscription reads that subscriptions, vaultPairs and the preflight report share: the
 * subscription itself and where Do-Not-Cancel stands (feature and provider states).
 */
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import { DO_NOT_CANCEL_FEATURE_NAME, DO_NOT_CANCEL_NAMESPACE, KEY_VAULT_PROVIDER } from "../rules/do-not-cancel.js";
import { validateSubscriptionId } from "../rules/ids.js";

/** api-version of `GET /subscriptions/{id}` (Microsoft.Resources subscriptions API). */
const SUBSCRIPTIONS_API_VERSION = "2022-12-01";

const is = (state: string | undefined, expected: string) => (state ?? "").toLowerCase() === expected.toLowerCase();

/** What a read takes: the caller's AbortSignal. */
export interface SubscriptionReadOptions {
  /** Cancels the read. */
  abortSignal?: AbortSignal;
}

/** A subscription as Resource Manager reports it. */
export interface SubscriptionInfo {
  /** The subscription id (a GUID). */
  subscriptionId: string;
  /** The subscription's display name. */
  displayName: string;
  /** `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted`. */
  state: string;
  /** The Entra tenant the subscription belongs to. */
  tenantId: string;
}

/** Where Do-Not-Cancel stands on one subscription. */
export interface DoNotCancelState {
  /** The subscription (a GUID). */
  subscriptionId: string;
  /** State of `Microsoft.Resources/mandatoryRetentionPeriodEnabled`, e.g. `NotRegistered`, `Pending`, `Registered`. */
  featureState: string;
  /** Registration state of `Microsoft.KeyVault`, e.g. `NotRegistered`, `Registering`, `Registered`. */
  providerState: string;
  /** True once Microsoft has approved the mandatory retention period (feature `Registered`). */
  protected: boolean;
}

export class SubscriptionReads {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Reads a subscription. arm-resources 7 has no subscriptions operation group, so this sends a
   * plain GET through that client's own pipeline (same credential, scope, agent and options).
   */
  async get(subscriptionId: string, options: SubscriptionReadOptions = {}): Promise<SubscriptionInfo> {
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
  async getDoNotCancelState(subscriptionId: string, options: SubscriptionReadOptions = {}): Promise<DoNotCancelState> {
    validateSubscriptionId(subscriptionId);
    const featureState = await this.featureState(subscriptionId, options);
    const providerState = await this.providerState(subscriptionId, options);
    return { subscriptionId, featureState, providerState, protected: is(featureState, "Registered") };
  }

  async featureState(subscriptionId: string, options: SubscriptionReadOptions): Promise<string> {
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

  async providerState(subscriptionId: string, options: SubscriptionReadOptions): Promise<string> {
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
