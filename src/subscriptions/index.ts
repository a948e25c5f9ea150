export { SubscriptionsClient, validateSubscriptionId, DO_NOT_CANCEL_POLLER_KIND } from "./subscriptions-client.js";
export {
  DO_NOT_CANCEL_FEATURE_NAME,
  DO_NOT_CANCEL_NAMESPACE,
  KEY_VAULT_PROVIDER,
} from "./types.js";
export type {
  BeginRegisterDoNotCancelOptions,
  DoNotCancelOperationState,
  DoNotCancelPhase,
  DoNotCancelState,
  OperationOptions,
  SubscriptionInfo,
} from "./types.js";
