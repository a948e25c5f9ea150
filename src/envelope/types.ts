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
  abortSignal?: AbortSignal;
}

/**
 * A key-encryption key held elsewhere (Key Vault, HSM, local). `id` may be versionless
 * (`https://v.vault.azure.net/keys/k`): it then matches wrapped entries of every version
 * (`https://v.vault.azure.net/keys/k/<version>`).
 */
export interface RootKey {
  readonly id: string;
  wrapKey(dataKey: Uint8Array, options?: RootKeyCallOptions): Promise<WrappedKey>;
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
  abortSignal?: AbortSignal;
  /** Reuse data keys across messages within limits (see `createDataKeyCache`). */
  cache?: DataKeyCache;
}

export interface OpenOptions {
  /** Root keys that may unwrap the data key. */
  rootKeys: readonly RootKey[];
  /** When given, must equal the sealed context exactly. */
  context?: EncryptionContext;
  /** Order of unwrap attempts: envelope order (default) or shuffled. */
  order?: "listed" | "random";
  abortSignal?: AbortSignal;
  cache?: DataKeyCache;
  limits?: EnvelopeLimits;
}

export interface RewrapOptions {
  /** Root keys that may unwrap the current data key. */
  unwrapWith: readonly RootKey[];
  /** Root keys that wrap it in the result (replacing every current entry). */
  wrapWith: readonly RootKey[];
  /** When given, must equal the sealed context exactly. */
  context?: EncryptionContext;
  /** Fewest `wrapWith` keys accepted. Default 2. */
  minRootKeys?: number;
  order?: "listed" | "random";
  abortSignal?: AbortSignal;
  limits?: EnvelopeLimits;
}

/** What `inspect` reads from an envelope without any key. */
export interface EnvelopeHeader {
  version: number;
  suite: number;
  suiteName: string;
  messageId: Uint8Array;
  context: Record<string, string>;
  wrappedKeys: WrappedKey[];
  frameLength: number;
  commitment: Uint8Array;
  /** Header size in bytes; the body starts here. */
  headerLength: number;
  bodyOffset: number;
  bodyLength: number;
  frameCount: number;
  plaintextLength: number;
}
