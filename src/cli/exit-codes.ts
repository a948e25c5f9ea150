/**
 * Exit codes and how an error is shown: the code, the message and the fix; a stack trace only
 * with --verbose (the SDK's messages already say what to do, a stack says nothing to an operator).
 */
import { ConfirmationRequiredError, InvalidInputError, isCustomerKeyError } from "../errors.js";
import type { CliIo } from "./context.js";
import { CliError } from "./cli-error.js";

export const EXIT_OK = 0;
export const EXIT_CHECKS_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_SERVICE = 3;
export const EXIT_INTERRUPTED = 130;

const FIXES: [RegExp, string][] = [
  [/^ERR_SERVICE_(UNAUTHENTICATED)$/, "Sign in (az login, or set AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID) and run again."],
  [/^ERR_SERVICE_FORBIDDEN$/, "Grant the signed-in principal the role the message names, or run as a principal that has it."],
  [/^ERR_SERVICE_(UNAVAILABLE|UNREACHABLE|THROTTLED|FAILED)$/, "The service did not answer in time; run the same command again (it resumes)."],
  [/^ERR_ABORTED$/, "Run the same command again: work done stays done and it resumes."],
  [/^ERR_CONFIG_INVALID$/, "Correct each field listed above (its fix follows it in parentheses); `customer-key init` writes a commented sample."],
  [/^ERR_KEY_ID_INVALID$/, "Give a key URI as https://<vault>.vault.azure.net/keys/<name> (az keyvault key show --vault-name <vault> --name <name> --query key.kid)."],
  [/^ERR_PREFLIGHT_FAILED$/, "Correct each failing check listed above (its fix is under it), or see them all with `customer-key validate`; then run apply again (it resumes)."],
  [/^ERR_CONFIRMATION_REQUIRED$/, "Pass the confirmation the message names (it names the target on purpose)."],
];

function fixFor(error: unknown): string {
  if (error instanceof CliError) return error.fix;
  const code = isCustomerKeyError(error) ? error.code : "";
  for (const [pattern, fix] of FIXES) if (pattern.test(code)) return fix;
  if (isCustomerKeyError(error)) return "Follow the message above: it says what to change.";
  return "Run again with --verbose and report the output if it persists.";
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (!isCustomerKeyError(error)) return EXIT_SERVICE;
  if (error.code === "ERR_ABORTED") return EXIT_INTERRUPTED;
  // The preflight report failed: checks failed, as with validate (the service answered, the tenant is not ready).
  if (error.code === "ERR_PREFLIGHT_FAILED") return EXIT_CHECKS_FAILED;
  // Bad input found before any request (InvalidInputError) is a usage error of the configuration.
  if (error instanceof InvalidInputError || error instanceof ConfirmationRequiredError) return EXIT_USAGE;
  return EXIT_SERVICE;
}

/** Prints the error on stderr and returns the exit code. */
export function reportError(error: unknown, io: CliIo, verbose = false): number {
  const code = isCustomerKeyError(error) ? error.code : "ERR_CLI_UNEXPECTED";
  const message = error instanceof Error ? error.message : String(error);
  io.err(`customer-key: error ${code}: ${message}`);
  io.err(`Fix: ${fixFor(error)}`);
  if (verbose && error instanceof Error && error.stack) io.err(error.stack);
  return exitCodeFor(error);
}
