/**
 * Options both PowerShell transports take, their defaults and the checks made on them.
 */
import { InvalidInputError } from "../../errors.js";
import { logger as packageLogger, type CustomerKeyLogger } from "../../internal/logger.js";
import type { RetrySettings } from "../../internal/retry.js";

/**
 * Process options of a PowerShell transport. The host script has NOT been run against a real
 * `pwsh` by this project (PowerShell cannot be installed on its machines); the protocol and the
 * process handling are tested against a stand-in. See docs/powershell-transports.md.
 */
export interface PowerShellProcessOptions {
  /** The PowerShell 7.5+ executable; default `pwsh` (found on `PATH`). */
  pwshPath?: string;
  /** Per-call timeout in milliseconds; on expiry the process is killed and restarted on the next call. Default 300000 (5 min). */
  timeoutInMs?: number;
  /** How long the process may take to start (load PowerShell and print its first line), in milliseconds; default 120000 (2 min). */
  startTimeoutInMs?: number;
  /** Timeout of the connect cmdlet in milliseconds; default 120000 (2 min). */
  connectTimeoutInMs?: number;
  /** Restarts in a row (after a crash, a timeout or a failed start, with no successful call between) before calls fail with `ERR_POWERSHELL_RESTART_LIMIT`; default 3. */
  maxRestarts?: number;
  /** How long `close()` waits for the process to disconnect and exit before killing it, in milliseconds; default 10000. */
  closeTimeoutInMs?: number;
  /** How transient failures of read-only cmdlets are retried; defaults in `RetrySettings`. */
  retry?: RetrySettings;
  /** Receives one line per call (name, duration, outcome; never a parameter value); default the `customer-key` Azure logger. */
  logger?: CustomerKeyLogger;
}

export interface ResolvedProcessOptions {
  pwshPath: string;
  timeoutMs: number;
  startTimeoutMs: number;
  connectTimeoutMs: number;
  maxRestarts: number;
  closeTimeoutMs: number;
  retry: RetrySettings | undefined;
  logger: CustomerKeyLogger;
}

function positive(value: number | undefined, fallback: number, field: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || !Number.isInteger(value)) {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", `${field} must be a ${allowZero ? "non-negative" : "positive"} whole number, got ${String(value)}.`, { field });
  }
  return value;
}

/** Checks the options and fills in the defaults. */
export function resolveProcessOptions(options: PowerShellProcessOptions): ResolvedProcessOptions {
  const pwshPath = options.pwshPath ?? "pwsh";
  if (typeof pwshPath !== "string" || pwshPath.trim() === "") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "pwshPath must name the PowerShell 7.5+ executable (default 'pwsh').", { field: "pwshPath" });
  }
  return {
    pwshPath,
    timeoutMs: positive(options.timeoutInMs, 300_000, "timeoutInMs"),
    startTimeoutMs: positive(options.startTimeoutInMs, 120_000, "startTimeoutInMs"),
    connectTimeoutMs: positive(options.connectTimeoutInMs, 120_000, "connectTimeoutInMs"),
    maxRestarts: positive(options.maxRestarts, 3, "maxRestarts", true),
    closeTimeoutMs: positive(options.closeTimeoutInMs, 10_000, "closeTimeoutInMs", true),
    retry: options.retry,
    logger: options.logger ?? packageLogger,
  };
}

/** A required non-empty string option, or ERR_TRANSPORT_OPTIONS_INVALID naming it. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", `${field} is required (a non-empty string).`, { field });
  }
  return value;
}
