export { SubscriptionsClient, DO_NOT_CANCEL_POLLER_KIND } from "./subscriptions-client.js";
export { validateSubscriptionId } from "../rules/ids.js";
export { DO_NOT_CANCEL_FEATURE_NAME, DO_NOT_CANCEL_NAMESPACE, KEY_VAULT_PROVIDER } from "../rules/do-not-cancel.js";
export type { DoNotCancelState, SubscriptionInfo } from "../azure/arm-subscriptions.js";
export type { BeginRegisterDoNotCancelOptions, DoNotCancelOperationState, DoNotCancelPhase } from "./types.js";
