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
