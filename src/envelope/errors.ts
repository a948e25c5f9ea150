/**
 * Typed errors of the envelope core. Every error has a stable `code`; messages and causes
 * never carry key bytes (data keys, content keys, private JWK members).
 */
import { CustomerKeyError, type CustomerKeyErrorOptions } from "../errors.js";

/** Every code an envelope error can carry. Stable API. */
export const ENVELOPE_ERROR_CODES = [
  // Malformed or out-of-limit input (EnvelopeFormatError).
  "ERR_ENVELOPE_FORMAT",
  "ERR_ENVELOPE_TRUNCATED",
  "ERR_ENVELOPE_UNSUPPORTED_VERSION",
  "ERR_ENVELOPE_UNSUPPORTED_SUITE",
  "ERR_ENVELOPE_LIMIT_EXCEEDED",
  // Could not recover the data key or authenticate the message (EnvelopeDecryptError).
  "ERR_ENVELOPE_NO_MATCHING_KEY",
  "ERR_ENVELOPE_KEYS_UNAVAILABLE",
  "ERR_ENVELOPE_REVOKED",
  // Authentication failed (EnvelopeIntegrityError, a kind of EnvelopeDecryptError).
  "ERR_ENVELOPE_INTEGRITY",
  "ERR_ENVELOPE_COMMITMENT_MISMATCH",
  // Caller asked for something else than what was sealed.
  "ERR_ENVELOPE_CONTEXT_MISMATCH",
  // Bad arguments (EnvelopeOptionsError).
  "ERR_ENVELOPE_INVALID_OPTIONS",
  "ERR_ENVELOPE_INVALID_CONTEXT",
  "ERR_ENVELOPE_TOO_FEW_ROOT_KEYS",
  // Root keys (RootKeyError).
  "ERR_ENVELOPE_WRAP_FAILED",
  "ERR_ROOT_KEY_INVALID",
  "ERR_ROOT_KEY_INVALID_JWK",
  "ERR_ROOT_KEY_UNWRAP_FAILED",
  "ERR_ROOT_KEY_VERSION_NOT_FOUND",
  "ERR_ROOT_KEY_REVOKED",
  // Cancellation.
  "ERR_ENVELOPE_ABORTED",
] as const;

/** Union of every envelope error code. */
export type EnvelopeErrorCode = (typeof ENVELOPE_ERROR_CODES)[number];

/** Base class of every envelope error. */
export class EnvelopeError extends CustomerKeyError {
  /** A stable code from ENVELOPE_ERROR_CODES: match on it, never on `message`. */
  declare readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string, options?: CustomerKeyErrorOptions) {
    super(code, message, options);
  }
}

/** The bytes are not a well-formed envelope, or exceed a parsing limit. */
export class EnvelopeFormatError extends EnvelopeError {}

/** The data key could not be recovered, or the message failed authentication. */
export class EnvelopeDecryptError extends EnvelopeError {
  /** One record per unwrap attempt, in the order tried (empty when none was tried). */
  readonly attempts: readonly EnvelopeAttempt[];
  constructor(
    code: EnvelopeErrorCode,
    message: string,
    options?: CustomerKeyErrorOptions & { attempts?: readonly EnvelopeAttempt[] },
  ) {
    super(code, message, options);
    this.attempts = options?.attempts ?? [];
  }
}

/** Authentication failed: the envelope was modified, or a wrapped key does not belong to it. */
export class EnvelopeIntegrityError extends EnvelopeDecryptError {}

/** `open` was given an encryption context that differs from the sealed one. */
export class EnvelopeContextMismatchError extends EnvelopeError {}

/** Invalid options or arguments. */
export class EnvelopeOptionsError extends EnvelopeError {}

/** A root key failed or misbehaved. */
export class RootKeyError extends EnvelopeError {}

/**
 * Thrown (or used as a marker) by root key implementations when access to the key was denied or
 * the key was revoked/disabled. `open` reports `ERR_ENVELOPE_REVOKED` when every attempt failed
 * with such an error.
 */
export class RootKeyRevokedError extends RootKeyError {
  constructor(message: string, options?: CustomerKeyErrorOptions) {
    super("ERR_ROOT_KEY_REVOKED", message, options);
  }
}

/** The operation was cancelled through its AbortSignal. `cause` is the signal's reason. */
export class EnvelopeAbortError extends EnvelopeError {
  constructor(reason: unknown) {
    super("ERR_ENVELOPE_ABORTED", "The envelope operation was aborted.", { cause: reason });
  }
}

/** One unwrap attempt made by `open`/`rewrap`. */
export interface EnvelopeAttempt {
  /** Key id of the wrapped entry (carries the version). */
  readonly keyId: string;
  /** Id of the root key that was asked to unwrap it. */
  readonly rootKeyId: string;
  /** Why it failed. */
  readonly error: unknown;
}

/** Error codes that mean "access denied / key revoked" in Key Vault, Azure RBAC, AWS and here. */
export const ACCESS_DENIED_CODES: readonly string[] = [
  "Forbidden",
  "AccessDenied",
  "AccessDeniedException",
  "ForbiddenByPolicy",
  "ForbiddenByRbac",
  "KeyDisabled",
  "Unauthorized",
  "ERR_ROOT_KEY_REVOKED",
];

/**
 * True when `error` (or an error in its `cause` chain) says access to the root key was denied:
 * HTTP status 401/403, or a `code` in {@link ACCESS_DENIED_CODES}. Root key implementations can
 * throw {@link RootKeyRevokedError} to be classified as revoked.
 */
export function isAccessDeniedError(error: unknown): boolean {
  let current: unknown = error;
  // Bounded walk: cause chains can be cyclic.
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const e = current as { statusCode?: unknown; status?: unknown; code?: unknown; cause?: unknown };
    if (e.statusCode === 401 || e.statusCode === 403 || e.status === 401 || e.status === 403) return true;
    if (typeof e.code === "string" && ACCESS_DENIED_CODES.includes(e.code)) return true;
    current = e.cause;
  }
  return false;
}

/** Throws {@link EnvelopeAbortError} if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EnvelopeAbortError(signal.reason);
}
