/** Public types of the envelope core. */
import type { DataKeyCache } from "./cache.js";

/** A data key wrapped (encrypted) by one root key. */
export interface WrappedKey {
  /** Full, versioned id of the root key that wrapped it, e.g. a Key Vault kid. */
  keyId: string;
  /** Wrapping algorithm, e.g. `RSA-OAEP-256` or `A256KW`. */
  algorithm: string;
  /** The wrapped data key. */
  encryptedKey: Uint8Array;
}

/** Per-call options passed to a root key. */
export interface RootKeyCallOptions {
  /** Cancels the call; the root key should stop and reject with the signal's reason. Default: none. */
  abortSignal?: AbortSignal;
}

/**
 * A key-encryption key held elsewhere (Key Vault, HSM, local). `id` may be versionless
 * (`https://v.vault.azure.net/keys/k`): it then matches wrapped entries of every version
 * (`https://v.vault.azure.net/keys/k/<version>`).
 */
export interface RootKey {
  /** The key's id, versioned or versionless (then it matches entries of every version). Not empty. */
  readonly id: string;
  /** Wraps a 32-byte data key; the result's `keyId` must match `id` (and name the version). */
  wrapKey(dataKey: Uint8Array, options?: RootKeyCallOptions): Promise<WrappedKey>;
  /** Unwraps an entry this key made; resolves to the 32-byte data key (zeroed by the caller after use). */
  unwrapKey(wrapped: WrappedKey, options?: RootKeyCallOptions): Promise<Uint8Array>;
}

/** Encryption context: non-secret strings bound to the message; stored in clear in the header. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Parsing limits applied by `open`, `openStream`, `rewrap` and `inspect`. */
export interface EnvelopeLimits {
  /** Most wrapped-key entries accepted. Default 16. */
  maxWrappedKeys?: number;
  /** Largest header accepted, in bytes. Default 65,536. */
  maxHeaderLength?: number;
  /** Largest frame length accepted, in bytes. Default (and hard maximum) 16 MiB. */
  maxFrameLength?: number;
}

/** Options of `seal` and `sealStream`. */
export interface SealOptions {
  /** Root keys; the data key is wrapped by every one of them. */
  rootKeys: readonly RootKey[];
  /** Encryption context bound to the message. */
  context?: EncryptionContext;
  /** Fewest root keys accepted. Default 2; pass 1 explicitly to allow a single root key. */
  minRootKeys?: number;
  /**
   * Plaintext bytes per frame. Default: 1 MiB (`DEFAULT_FRAME_LENGTH`) for `seal`, 256 KiB
   * (`DEFAULT_STREAM_FRAME_LENGTH`) for `sealStream`. `openStream` holds one frame at a time.
   */
  frameLength?: number;
  /** Cancels the operation (rejects with EnvelopeAbortError). Default: none. */
  abortSignal?: AbortSignal;
  /** Reuse data keys across messages within limits (see `createDataKeyCache`). */
  cache?: DataKeyCache;
}

/** Options of `open` and `openStream`. */
export interface OpenOptions {
  /** Root keys that may unwrap the data key. */
  rootKeys: readonly RootKey[];
  /** When given, must equal the sealed context exactly. */
  context?: EncryptionContext;
  /** Order of unwrap attempts: envelope order (default `"listed"`) or shuffled (`"random"`). */
  order?: "listed" | "random";
  /** Cancels the operation (rejects with EnvelopeAbortError). Default: none. */
  abortSignal?: AbortSignal;
  /** Reuse unwrapped data keys across messages within limits (see `createDataKeyCache`). Default: none. */
  cache?: DataKeyCache;
  /** Parsing limits. Default: see EnvelopeLimits. */
  limits?: EnvelopeLimits;
}

/** Options of `rewrap`. */
export interface RewrapOptions {
  /** Root keys that may unwrap the current data key. */
  unwrapWith: readonly RootKey[];
  /** Root keys that wrap it in the result (replacing every current entry). */
  wrapWith: readonly RootKey[];
  /** When given, must equal the sealed context exactly. */
  context?: EncryptionContext;
  /** Fewest `wrapWith` keys accepted. Default 2. */
  minRootKeys?: number;
  /** Order of unwrap attempts: envelope order (default `"listed"`) or shuffled (`"random"`). */
  order?: "listed" | "random";
  /** Cancels the operation (rejects with EnvelopeAbortError). Default: none. */
  abortSignal?: AbortSignal;
  /** Parsing limits. Default: see EnvelopeLimits. */
  limits?: EnvelopeLimits;
}

/** What `inspect` reads from an envelope without any key. */
export interface EnvelopeHeader {
  /** Format version (FORMAT_VERSION, 1). */
  version: number;
  /** Algorithm suite id (ENVELOPE_SUITE_V1). */
  suite: number;
  /** The suite's name, e.g. `AES-256-GCM/HKDF-SHA-512/COMMIT-256/HMAC-SHA-256`. */
  suiteName: string;
  /** The message's random id, 32 bytes (a copy). */
  messageId: Uint8Array;
  /** The sealed encryption context (a copy). */
  context: Record<string, string>;
  /** One entry per root key that wrapped the data key (copies). */
  wrappedKeys: WrappedKey[];
  /** Plaintext bytes per frame. */
  frameLength: number;
  /** Key commitment, 32 bytes (a copy). */
  commitment: Uint8Array;
  /** Header size in bytes; the body starts here. */
  headerLength: number;
  /** Offset of the body in bytes (equals headerLength). */
  bodyOffset: number;
  /** Body size in bytes (frames with their tags). */
  bodyLength: number;
  /** Number of frames, the final one included. */
  frameCount: number;
  /** Plaintext size in bytes. */
  plaintextLength: number;
}
