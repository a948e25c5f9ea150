import { createClientLogger, type AzureLogger } from "@azure/logger";

/**
 * The package logger (`AZURE_LOG_LEVEL=verbose` or `setLogLevel` shows it). Lines name operations
 * and resources only: never tokens, secrets, key material or backup bytes.
 */
export const logger: AzureLogger = createClientLogger("customer-key");

/** The subset of a logger the SDK writes to; users may pass their own. */
export interface CustomerKeyLogger {
  /** Progress worth showing. */
  info(message: string): void;
  /** Something the user should look at. */
  warning(message: string): void;
  /** Detail: one line per operation and retry. */
  verbose(message: string): void;
  /** A failure. */
  error(message: string): void;
}
