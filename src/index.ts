export { CustomerKeyClient } from "./client.js";
export type { CustomerKeyClientOptions, CustomerKeyEndpoints } from "./internal/context.js";
export type { RetrySettings } from "./internal/retry.js";
export type { CustomerKeyLogger } from "./internal/logger.js";
export type { CustomerKeyPoller, OperationStatus, PollerState } from "./internal/poller.js";
export { OperationFailedError } from "./internal/poller.js";
export {
  CustomerKeyError,
  InvalidInputError,
  ServiceRequestError,
  ConfirmationRequiredError,
  PreconditionFailedError,
  OperationAbortedError,
  isCustomerKeyError,
} from "./errors.js";
export type { CustomerKeyErrorOptions } from "./errors.js";
export * from "./subscriptions/index.js";
export * from "./vault-pairs/index.js";
export * from "./directory/index.js";
export * from "./keys/index.js";
export * from "./backups/index.js";
export * from "./preflight/index.js";
// Both modules name a vault reference; vaultPairs takes ARM coordinates, keys/backups also a URL.
export type { VaultRef } from "./vault-pairs/index.js";
export type { VaultRef as KeyVaultRef } from "./keys/index.js";
