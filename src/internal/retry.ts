import pRetry from "p-retry";
import { OperationAbortedError } from "../errors.js";
import { sleep, throwIfAborted } from "./abort.js";
import { logger as packageLogger, type CustomerKeyLogger } from "./logger.js";
import { isTransient, isUnresolvedHost, retryAfterMs, toServiceError } from "./service-errors.js";

/**
 * A host name that does not resolve is most often a missing or wrong `endpoints` option, not a
 * passing DNS fault: it gets one quick retry, not the whole back-off (~11 s of silence before).
 */
const UNRESOLVED_HOST_ATTEMPTS = 2;
const UNRESOLVED_HOST_DELAY_MS = 250;

/** How transient failures are retried. One place for the whole SDK. */
export interface RetrySettings {
  /** Attempts after the first; default 4. */
  maxRetries?: number;
  /** First back-off delay; doubles each time; default 800 ms. */
  retryDelayInMs?: number;
  /** The longest single wait, also caps `Retry-After`; default 60 s. */
  maxRetryDelayInMs?: number;
  /** Give up once this much time has passed since the first attempt; default 5 min. */
  maxRetryTimeInMs?: number;
}

export const defaultRetrySettings: Required<RetrySettings> = {
  maxRetries: 4,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 60_000,
  maxRetryTimeInMs: 300_000,
};

/**
 * Runs a service call, retrying only transient failures (408, 429, 5xx, resets) with exponential
 * back-off and jitter, or exactly the wait a `Retry-After` header asks for. Anything else surfaces
 * at once as a ServiceRequestError. Only wrap calls that are idempotent, or that check first.
 */
export async function withRetry<T>(
  operation: string,
  call: (attempt: number) => Promise<T>,
  options: {
    abortSignal?: AbortSignal;
    retry?: RetrySettings;
    /**
     * Failures worth another attempt for this call only, besides the transient ones (e.g. a
     * restore's 409 while a purged key's name is still reserved). Only for a call that first
     * checks whether an earlier attempt landed.
     */
    retryIf?: (error: unknown) => boolean;
    /** Where retry lines go: the client's logger; the package logger by default. */
    logger?: CustomerKeyLogger;
  } = {},
): Promise<T> {
  const settings = { ...defaultRetrySettings, ...options.retry };
  const signal = options.abortSignal;
  const retryable = (error: unknown, attemptNumber: number) =>
    (isTransient(error) || options.retryIf?.(error) === true) && !(isUnresolvedHost(error) && attemptNumber >= UNRESOLVED_HOST_ATTEMPTS);
  throwIfAborted(signal, operation);
  const started = performance.now();
  let attempts = 0;
  try {
    return await pRetry((attempt) => {
      attempts = attempt;
      return call(attempt);
    }, {
      retries: settings.maxRetries,
      // p-retry counts attempts; the waits are ours so that Retry-After is honoured exactly.
      minTimeout: 0,
      factor: 1,
      maxRetryTime: settings.maxRetryTimeInMs,
      ...(signal ? { signal } : {}),
      shouldRetry: ({ error, attemptNumber }) => retryable(error, attemptNumber),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!retryable(error, attemptNumber) || retriesLeft === 0) return;
        const asked = retryAfterMs(error);
        const backoff = Math.min(settings.retryDelayInMs * 2 ** (attemptNumber - 1), settings.maxRetryDelayInMs);
        const jittered = backoff * (0.8 + Math.random() * 0.4);
        const wait = asked !== undefined ? Math.min(asked, settings.maxRetryDelayInMs) : isUnresolvedHost(error) ? Math.min(UNRESOLVED_HOST_DELAY_MS, jittered) : jittered;
        (options.logger ?? packageLogger).verbose(`${operation}: attempt ${attemptNumber} failed (${describe(error)}); retrying in ${Math.round(wait)} ms`);
        await sleep(wait, signal, operation);
      },
    });
  } catch (error) {
    if (signal?.aborted && !(error instanceof OperationAbortedError)) throw new OperationAbortedError(operation, { cause: signal.reason });
    // Say how hard we tried: a failure after retries reads differently from one at the first try.
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    throw toServiceError(error, operation, attempts > 1 ? `Gave up after ${attempts} attempts over ${seconds} s.` : undefined);
  }
}

function describe(error: unknown): string {
  const e = error as { statusCode?: number; code?: string };
  return e.statusCode !== undefined ? `status ${e.statusCode}` : (e.code ?? "network error");
}
