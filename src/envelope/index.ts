/**
 * customer-key/envelope: pure envelope encryption over Uint8Array with two (or more) root keys,
 * key commitment, framing for streams, rewrap without touching the body, and a data key cache.
 * Format: docs/envelope-format.md.
 */
export { seal } from "./seal.js";
export { open, rewrap, inspect } from "./open.js";
export { sealStream, type SealStreamOptions } from "./seal-stream.js";
export { openStream } from "./open-stream.js";
export { createDataKeyCache, DataKeyCache, type DataKeyCacheOptions, type DataKeyCacheStats } from "./cache.js";
export { LocalRootKey, type LocalRootKeyAlgorithm, type LocalRootKeyGenerateOptions, type LocalRootKeyJwk } from "./local-root-key.js";
export { matchesKeyId } from "./root-keys.js";
// The base class of every envelope error, and the codes its type names (the SDK's and the envelope's).
export { CUSTOMER_KEY_ERROR_CODES, CustomerKeyError, type CustomerKeyErrorCode, type CustomerKeyErrorOptions } from "../errors.js";
export {
  ACCESS_DENIED_CODES,
  ENVELOPE_ERROR_CODES,
  EnvelopeAbortError,
  EnvelopeContextMismatchError,
  EnvelopeDecryptError,
  EnvelopeError,
  EnvelopeFormatError,
  EnvelopeIntegrityError,
  EnvelopeOptionsError,
  RootKeyError,
  RootKeyRevokedError,
  isAccessDeniedError,
  type EnvelopeAttempt,
  type EnvelopeErrorCode,
} from "./errors.js";
export {
  DEFAULT_FRAME_LENGTH,
  DEFAULT_STREAM_FRAME_LENGTH,
  DEFAULT_MAX_HEADER_LENGTH,
  DEFAULT_MAX_WRAPPED_KEYS,
  FORMAT_VERSION,
  MAX_FRAME_LENGTH,
  SUITE_V1 as ENVELOPE_SUITE_V1,
} from "./constants.js";
export type {
  EncryptionContext,
  EnvelopeHeader,
  EnvelopeLimits,
  OpenOptions,
  RewrapOptions,
  RootKey,
  RootKeyCallOptions,
  SealOptions,
  WrappedKey,
} from "./types.js";
