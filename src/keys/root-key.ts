/**
 * A Key Vault key as a RootKey of the envelope core: RSA-OAEP-256 wrap and unwrap, done by the
 * vault (CryptographyClient, remote). Failures keep their HTTP status, so the envelope's
 * `isAccessDeniedError` tells a revoked key (401/403) from an unreachable vault.
 */
import type { TokenCredential } from "@azure/core-auth";
import { CryptographyClient, type CryptographyClientOptions } from "@azure/keyvault-keys";
import { matchesKeyId, type RootKey, type RootKeyCallOptions, type WrappedKey } from "../envelope/index.js";
import { InvalidInputError } from "../errors.js";
import { withRetry, type RetrySettings } from "../internal/retry.js";
import { parseKeyId } from "../azure/vault-and-key-ids.js";
import { withLogSafeAgent } from "../internal/agent-http-client.js";

/** The algorithm root keys wrap and unwrap data keys with. */
export const ROOT_KEY_WRAP_ALGORITHM = "RSA-OAEP-256";

/** Options of `KeyVaultRootKey`: the Key Vault client options (agent, TLS, proxy) without its own retry, which the SDK does. */
export interface KeyVaultRootKeyOptions extends Omit<CryptographyClientOptions, "retryOptions"> {
  /** Retries of transient failures (429, 5xx); lower them when another root key can answer instead. */
  retry?: RetrySettings;
}

/** A Key Vault key as a root key of the envelope core: wraps and unwraps remotely with RSA-OAEP-256. */
export class KeyVaultRootKey implements RootKey {
  /**
   * The key id as given: a versioned kid (recommended: it names exactly the version that wraps), or
   * a versionless id, which wraps with the current version and unwraps entries of any version.
   */
  readonly id: string;
  readonly #credential: TokenCredential;
  readonly #options: CryptographyClientOptions;
  readonly #retry: RetrySettings | undefined;
  readonly #clients = new Map<string, CryptographyClient>();

  constructor(keyId: string, credential: TokenCredential, options: KeyVaultRootKeyOptions = {}) {
    parseKeyId(keyId);
    const { retry, ...clientOptions } = options;
    this.id = keyId.replace(/\/+$/, "");
    this.#credential = credential;
    // Retries happen in withRetry only (one place, Retry-After honoured).
    // An agent rides in the HTTP client, never on the request the Azure SDK logs.
    this.#options = { ...withLogSafeAgent(clientOptions), retryOptions: { maxRetries: 0 } };
    this.#retry = retry;
  }

  #client(kid: string): CryptographyClient {
    let client = this.#clients.get(kid);
    if (!client) {
      client = new CryptographyClient(kid, this.#credential, this.#options);
      this.#clients.set(kid, client);
    }
    return client;
  }

  #retryOptions(options: RootKeyCallOptions | undefined) {
    return { ...(this.#retry ? { retry: this.#retry } : {}), ...(options?.abortSignal ? { abortSignal: options.abortSignal } : {}) };
  }

  /** Wraps a data key with the key's current version (remote, retried on transient faults). */
  async wrapKey(dataKey: Uint8Array, options?: RootKeyCallOptions): Promise<WrappedKey> {
    // Wrapping is a pure computation: repeating it is harmless.
    const result = await withRetry(
      "keys.rootKey.wrapKey",
      () => this.#client(this.id).wrapKey(ROOT_KEY_WRAP_ALGORITHM, dataKey, options?.abortSignal ? { abortSignal: options.abortSignal } : {}),
      this.#retryOptions(options),
    );
    return { keyId: result.keyID ?? this.id, algorithm: ROOT_KEY_WRAP_ALGORITHM, encryptedKey: result.result };
  }

  /** Unwraps a data key wrapped by this key (any version). */
  async unwrapKey(wrapped: WrappedKey, options?: RootKeyCallOptions): Promise<Uint8Array> {
    if (wrapped.algorithm !== ROOT_KEY_WRAP_ALGORITHM) {
      throw new InvalidInputError("ERR_ROOT_KEY_ALGORITHM", `Root key ${this.id} unwraps ${ROOT_KEY_WRAP_ALGORITHM} only, not ${wrapped.algorithm}.`);
    }
    if (!matchesKeyId(this.id, wrapped.keyId)) {
      throw new InvalidInputError("ERR_ROOT_KEY_MISMATCH", `Root key ${this.id} cannot unwrap an entry wrapped by ${wrapped.keyId}.`);
    }
    // The entry names the exact version that wrapped it; a versionless root key unwraps with that one.
    const result = await withRetry(
      "keys.rootKey.unwrapKey",
      () => this.#client(wrapped.keyId).unwrapKey(ROOT_KEY_WRAP_ALGORITHM, wrapped.encryptedKey, options?.abortSignal ? { abortSignal: options.abortSignal } : {}),
      this.#retryOptions(options),
    );
    return result.result;
  }
}
