/**
 * The one error base class of customer-key. It has no imports so that the envelope
 * core (which must load no other code) can extend it.
 */

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
  /** A stable, machine-readable code such as `ERR_VAULT_NAME_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string, options?: CustomerKeyErrorOptions) {
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
  /** The option or field at fault, e.g. `primary.vaultName`. */
  readonly field: string | undefined;

  constructor(code: string, message: string, options?: CustomerKeyErrorOptions & { field?: string }) {
    super(code, message, options);
    this.field = options?.field;
  }
}

/** A request that a service refused or could not answer. Keeps the status and the service's own code. */
export class ServiceRequestError extends CustomerKeyError {
  /** HTTP status, or undefined for a network failure. */
  readonly statusCode: number | undefined;
  /** The service's error code, e.g. `Forbidden`, `KeyNotFound`, `AuthorizationFailed`. */
  readonly serviceCode: string | undefined;
  /** The operation that failed, e.g. `keys.create`. */
  readonly operation: string;
  /** `x-ms-request-id` of the failed response, for a support ticket. */
  readonly requestId: string | undefined;

  constructor(
    code: string,
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
  constructor(message: string) {
    super("ERR_CONFIRMATION_REQUIRED", message);
  }
}

/** The state found does not allow the operation (e.g. restoring over an existing key). Nothing was changed. */
export class PreconditionFailedError extends CustomerKeyError {}

/** The caller's AbortSignal fired. Work already done stays done; running it again resumes. */
export class OperationAbortedError extends CustomerKeyError {
  constructor(operation: string, options?: CustomerKeyErrorOptions) {
    super("ERR_ABORTED", `${operation} was aborted by the caller; it is safe to run again.`, options);
  }
}
