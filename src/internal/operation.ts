/**
 * The one pipeline every public operation runs through: a tracing span (so OpenTelemetry users
 * see our operations next to the Azure SDK's own spans, which become children of ours), the
 * caller's AbortSignal checked first, failures mapped to the typed errors, and one verbose log
 * line per operation (name, duration, outcome; never arguments, so never a secret). Service calls
 * inside an operation are retried one by one with withRetry (internal/retry.ts): only the
 * idempotent ones, which is why retrying is not done here around the whole operation.
 */
import { createTracingClient, type OperationTracingOptions } from "@azure/core-tracing";
import { isCustomerKeyError, OperationAbortedError } from "../errors.js";
import { throwIfAborted } from "./abort.js";
import type { CustomerKeyLogger } from "./logger.js";
import { toServiceError } from "./service-errors.js";
import { PACKAGE_VERSION } from "./version.js";

/** Options every public operation takes. */
export interface OperationOptions {
  /** Cancels the operation; work already done stays done and running it again resumes. Default: none. */
  abortSignal?: AbortSignal;
  /** The parent tracing context of the operation's span (OpenTelemetry through `@azure/core-tracing`). Default: the active context. */
  tracingOptions?: OperationTracingOptions;
}

/** Spans are named `CustomerKey.<module>.<method>`-style by the operation name, e.g. `keys.create`. */
export const tracingClient = createTracingClient({ namespace: "CustomerKey", packageName: "customer-key", packageVersion: PACKAGE_VERSION });

/** Maps any failure of an operation to the error the caller sees. */
export function toOperationError(error: unknown, operation: string, signal: AbortSignal | undefined): unknown {
  if (isCustomerKeyError(error)) return error;
  if (signal?.aborted) return new OperationAbortedError(operation, { cause: signal.reason });
  // A raw HTTP failure that escaped withRetry becomes a ServiceRequestError (no token in it);
  // anything else (a file system error, a bug) stays what it is.
  if (typeof (error as { statusCode?: unknown } | undefined)?.statusCode === "number") return toServiceError(error, operation);
  return error;
}

/**
 * Runs one public operation: opens the span `operation`, passes `run` the options carrying the
 * span's context (hand them to the Azure SDK calls so their spans nest under ours), and maps and
 * logs the outcome.
 */
export async function runOperation<O extends OperationOptions, T>(
  context: { logger: CustomerKeyLogger },
  operation: string,
  options: O,
  run: (options: O) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const result = await tracingClient.withSpan(operation, options, async (updated: O) => {
      try {
        throwIfAborted(updated.abortSignal, operation);
        return await run(updated);
      } catch (error) {
        // Mapped inside the span, so the span records the error the caller sees.
        throw toOperationError(error, operation, updated.abortSignal);
      }
    });
    context.logger.verbose(`${operation}: succeeded in ${ms()} ms`);
    return result as T;
  } catch (error) {
    const code = isCustomerKeyError(error) ? error.code : error instanceof Error ? error.name : "error";
    context.logger.verbose(`${operation}: failed in ${ms()} ms (${code})`);
    throw error;
  }
}
