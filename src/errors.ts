/**
 * The one error base class of customer-key and the published list of its codes. It has no
 * runtime imports so that the envelope core (which must load no other code) can extend it.
 */
import type { EnvelopeErrorCode } from "./envelope/errors.js";

/**
 * Every `code` the SDK's errors carry (the envelope has its own list, `ENVELOPE_ERROR_CODES`).
 * Stable API: a code is never reused for another meaning. test/client/error-codes.test.ts keeps
 * it equal to the codes src/ throws.
 */
export const CUSTOMER_KEY_ERROR_CODES = [
  // Input found invalid before any request (InvalidInputError).
  "ERR_ADMINISTRATORS_REQUIRED",
  "ERR_BACKUP_DIRECTORY_REQUIRED",
  "ERR_BACKUP_FILE_REQUIRED",
  "ERR_BACKUP_MANIFEST_INVALID",
  "ERR_CONFIG_INVALID",
  "ERR_JOURNAL_INVALID",
  "ERR_CREDENTIAL_INVALID",
  "ERR_KEY_ID_INVALID",
  "ERR_KEY_MATERIAL_INVALID",
  "ERR_KEY_NAME_INVALID",
  "ERR_KEY_PROTECTION_INVALID",
  "ERR_KEY_SIZE_INVALID",
  "ERR_KEY_TYPE_UNSUPPORTED",
  "ERR_PERMISSION_MODEL_INVALID",
  "ERR_POLLER_STATE_INVALID",
  "ERR_PRINCIPAL_INVALID",
  "ERR_REGIONS_PAIRED",
  "ERR_REGIONS_SAME",
  "ERR_REGION_UNKNOWN",
  "ERR_RESOURCE_GROUP_NAME_INVALID",
  "ERR_ROOT_KEY_ALGORITHM",
  "ERR_ROOT_KEY_MISMATCH",
  "ERR_SPEC_INVALID",
  "ERR_SUBSCRIPTIONS_NOT_DISTINCT",
  "ERR_SUBSCRIPTION_ID_INVALID",
  "ERR_TAGS_INVALID",
  "ERR_TENANT_ID_INVALID",
  "ERR_VALIDATION_TARGET_INVALID",
  "ERR_VAULT_NAMES_DUPLICATE",
  "ERR_VAULT_NAME_INVALID",
  "ERR_VAULT_REF_INVALID",
  "ERR_WORKLOAD_INVALID",
  // A service refused or could not answer (ServiceRequestError).
  "ERR_SERVICE_BAD_REQUEST",
  "ERR_SERVICE_CONFLICT",
  "ERR_SERVICE_FAILED",
  "ERR_SERVICE_FORBIDDEN",
  "ERR_SERVICE_NOT_FOUND",
  "ERR_SERVICE_REQUEST",
  "ERR_SERVICE_THROTTLED",
  "ERR_SERVICE_UNAUTHENTICATED",
  "ERR_SERVICE_UNAVAILABLE",
  "ERR_SERVICE_UNREACHABLE",
  // The operation was stopped: abort, cancel, missing confirmation.
  "ERR_ABORTED",
  "ERR_CONFIRMATION_REQUIRED",
  "ERR_OPERATION_CANCELED",
  // The state found does not allow the operation (PreconditionFailedError).
  "ERR_BACKUP_ALTERED",
  "ERR_BACKUP_EMPTY",
  "ERR_BACKUP_MISSING",
  "ERR_BACKUP_UNLISTED",
  "ERR_KEY_EXISTS",
  "ERR_KEY_MISMATCH",
  "ERR_KEY_NOT_FOUND",
  "ERR_KEY_SOFT_DELETED",
  "ERR_PLAN_HAS_PROBLEMS",
  "ERR_PLAN_MISMATCH",
  "ERR_PREFLIGHT_FAILED",
  "ERR_PRINCIPAL_NOT_FOUND",
  "ERR_RESTORE_REFUSED",
  "ERR_REVOKE_MICROSOFT_365",
  "ERR_VAULT_NOT_FOUND",
  // Problems a vault-pair plan found (VaultPairPlan.problems; apply refuses with ERR_PLAN_HAS_PROBLEMS).
  "ERR_SERVICE_PRINCIPAL_MISSING",
  "ERR_VAULT_NAME_TAKEN",
  "ERR_VAULT_SOFT_DELETED",
  // Transports to the Microsoft 365 admin endpoints, REST and PowerShell alike: input refused
  // before sending (InvalidInputError).
  "ERR_EXCHANGE_CMDLET_UNSUPPORTED",
  "ERR_EXCHANGE_PARAMETER_INVALID",
  "ERR_SHAREPOINT_KEY_INFO_INVALID",
  "ERR_SHAREPOINT_SITE_URL_INVALID",
  "ERR_TRANSPORT_OPTIONS_INVALID",
  // The pwsh host process of the PowerShell transports failing (PowerShellHostError). A cmdlet the
  // service refused through PowerShell is a PowerShellCommandError with an ERR_SERVICE_* code.
  "ERR_POWERSHELL_CLOSED",
  "ERR_POWERSHELL_CRASHED",
  "ERR_POWERSHELL_PROTOCOL",
  "ERR_POWERSHELL_RESTART_LIMIT",
  "ERR_POWERSHELL_START_FAILED",
  "ERR_POWERSHELL_TIMEOUT",
  // Refused by Exchange Online (ExchangeCommandError), by exception class:
  "ERR_EXCHANGE_ARGUMENT_REFUSED",
  "ERR_EXCHANGE_COMMAND_FAILED",
  "ERR_EXCHANGE_FORBIDDEN",
  "ERR_EXCHANGE_OBJECT_EXISTS",
  "ERR_EXCHANGE_OBJECT_NOT_FOUND",
  "ERR_EXCHANGE_OPERATION_REFUSED",
  "ERR_EXCHANGE_PAGING_EXPIRED",
  "ERR_EXCHANGE_SERVER_BUSY",
  // Refused by SharePoint Online (SharePointRequestError):
  "ERR_SHAREPOINT_FORBIDDEN",
  "ERR_SHAREPOINT_OPERATION_IN_PROGRESS",
  "ERR_SHAREPOINT_REQUEST_FAILED",
  "ERR_SHAREPOINT_SITE_NOT_FOUND",
  // Data encryption policies (client.policies).
  // Refused before sending (InvalidInputError):
  "ERR_POLICY_NAME_INVALID",
  "ERR_POLICY_KEY_URIS_INVALID",
  "ERR_MAILBOXES_INVALID",
  "ERR_CHECKPOINT_INVALID",
  // The state found does not allow it (PreconditionFailedError):
  "ERR_POLICY_LIMIT_REACHED",
  "ERR_POLICY_SUBSCRIPTIONS_NOT_DISTINCT",
  "ERR_POLICY_KEY_UNUSABLE",
  "ERR_POLICY_CONFLICT",
  "ERR_POLICY_NOT_FOUND",
  "ERR_MAILBOX_HAS_OTHER_POLICY",
  "ERR_PURGE_ACCESS_REMAINS",
  // SharePoint policies and the key roll across workloads.
  // Refused before sending (InvalidInputError):
  "ERR_KEY_URIS_SAME_VAULT",
  "ERR_SHAREPOINT_GEO_INVALID",
  // The state found does not allow it (PreconditionFailedError):
  "ERR_KEY_ROLL_WORKLOAD_FAILED",
  "ERR_KEY_URIS_SAME_SUBSCRIPTION",
  "ERR_KEY_URI_UNUSABLE",
  "ERR_SHAREPOINT_GEO_UNKNOWN",
  "ERR_SHAREPOINT_NOT_IN_RECOVERY",
  "ERR_SHAREPOINT_NOT_REGISTERED",
  "ERR_SHAREPOINT_POLICY_CONFLICT",
  // The CLI's own errors (CliError): its configuration file, how it reaches a tenant.
  "ERR_CLI_CONFIG_INVALID",
  "ERR_CLI_EMULATOR_NOT_RUNNING",
  "ERR_CLI_OUTPUT_REQUIRED",
  "ERR_CLI_TENANT_REQUIRED",
  "ERR_CLI_TENANT_MISMATCH",
  "ERR_CLI_UNEXPECTED",
] as const;

/** A code of the SDK's errors: `switch (error.code)` over it is checked by the compiler. */
export type CustomerKeyErrorCode = (typeof CUSTOMER_KEY_ERROR_CODES)[number];

/** Options accepted by every customer-key error. */
export interface CustomerKeyErrorOptions {
  /** The underlying error, kept for diagnosis. Never holds secrets. */
  cause?: unknown;
}

const brand = Symbol.for("customer-key.error");

/**
 * Base class of every error thrown by customer-key.
 *
 * `code` is stable API: match on it, never on `message`. The message says what happened and
 * what to do about it, and never contains tokens, secrets or key material.
 */
export class CustomerKeyError extends Error {
  /** A stable, machine-readable code such as `ERR_VAULT_NAME_INVALID` (one of `CUSTOMER_KEY_ERROR_CODES` or, from the envelope, `ENVELOPE_ERROR_CODES`). */
  readonly code: CustomerKeyErrorCode | EnvelopeErrorCode;

  /** Makes the error; prefer the subclasses. */
  constructor(code: CustomerKeyErrorCode | EnvelopeErrorCode, message: string, options?: CustomerKeyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True for any customer-key error, also one thrown by another copy of the package (the ESM and
 * CommonJS builds, or two versions in one tree), where `instanceof` would say false.
 */
export function isCustomerKeyError(value: unknown): value is CustomerKeyError {
  if (!(value instanceof Error)) return false;
  const candidate = value as Error & { code?: unknown; [brand]?: unknown };
  return (
    typeof candidate.code === "string" &&
    typeof candidate.name === "string" &&
    candidate.name.endsWith("Error") &&
    (candidate[brand] === true || candidate.name === "CustomerKeyError")
  );
}

/** Input that cannot work, found before any request was sent. Nothing was changed. */
export class InvalidInputError extends CustomerKeyError {
  /** The error's code (one of `CUSTOMER_KEY_ERROR_CODES`). */
  declare readonly code: CustomerKeyErrorCode;
  /** The option or field at fault, e.g. `primary.vaultName`. */
  readonly field: string | undefined;

  /** Makes the error; `field` names the option at fault. */
  constructor(code: CustomerKeyErrorCode, message: string, options?: CustomerKeyErrorOptions & { field?: string }) {
    super(code, message, options);
    this.field = options?.field;
  }
}

/** A request that a service refused or could not answer. Keeps the status and the service's own code. */
export class ServiceRequestError extends CustomerKeyError {
  /** The error's code, e.g. `ERR_SERVICE_FORBIDDEN` (one of `CUSTOMER_KEY_ERROR_CODES`). */
  declare readonly code: CustomerKeyErrorCode;
  /** HTTP status, or undefined for a network failure. */
  readonly statusCode: number | undefined;
  /** The service's error code, e.g. `Forbidden`, `KeyNotFound`, `AuthorizationFailed`. */
  readonly serviceCode: string | undefined;
  /** The operation that failed, e.g. `keys.create`. */
  readonly operation: string;
  /** `x-ms-request-id` of the failed response, for a support ticket. */
  readonly requestId: string | undefined;

  /** Makes the error from what the failed response said. */
  constructor(
    code: CustomerKeyErrorCode,
    message: string,
    details: { statusCode?: number; serviceCode?: string; operation: string; requestId?: string },
    options?: CustomerKeyErrorOptions,
  ) {
    super(code, message, options);
    this.statusCode = details.statusCode;
    this.serviceCode = details.serviceCode;
    this.operation = details.operation;
    this.requestId = details.requestId;
  }
}

/** A destructive call made without the confirmation that names its target. Nothing was sent. */
export class ConfirmationRequiredError extends CustomerKeyError {
  /** Always `ERR_CONFIRMATION_REQUIRED`. */
  declare readonly code: "ERR_CONFIRMATION_REQUIRED";
  /** Makes the error; the message says which confirmation names the target. */
  constructor(message: string) {
    super("ERR_CONFIRMATION_REQUIRED", message);
  }
}

/** The state found does not allow the operation (e.g. restoring over an existing key). Nothing was changed. */
export class PreconditionFailedError extends CustomerKeyError {
  /** The error's code, e.g. `ERR_KEY_EXISTS` (one of `CUSTOMER_KEY_ERROR_CODES`). */
  declare readonly code: CustomerKeyErrorCode;

  /** Makes the error. */
  constructor(code: CustomerKeyErrorCode, message: string, options?: CustomerKeyErrorOptions) {
    super(code, message, options);
  }
}

/** The caller's AbortSignal fired. Work already done stays done; running it again resumes. */
export class OperationAbortedError extends CustomerKeyError {
  /** Always `ERR_ABORTED`. */
  declare readonly code: "ERR_ABORTED";
  /** Makes the error for the operation that was aborted. */
  constructor(operation: string, options?: CustomerKeyErrorOptions) {
    super("ERR_ABORTED", `${operation} was aborted by the caller; it is safe to run again.`, options);
  }
}
