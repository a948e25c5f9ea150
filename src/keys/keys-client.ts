/**
 * Root keys of Customer Key in Key Vault: create (idempotent), import (BYOK), roll, clear an
 * expiry, recover from soft delete, read, and adapt a key to the envelope core. Creating adds a
 * version, so it is never retried blindly: every write first re-reads what a lost attempt may
 * have done.
 */
import { KeyClient, type KeyProperties, type KeyVaultKey } from "@azure/keyvault-keys";
import type { BackupResult } from "../store/backup-types.js";
import { InvalidInputError, PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { expiryFixPolicy } from "./expiry-fix.js";
import { sameModulus, toImportJwk, type ImportableJwk } from "./jwk.js";
import { KEY_SIZES, RECOVER_PERMISSION_HINT, isClearedExpiry, NO_EXPIRY, ROOT_KEY_OPERATIONS, rootKeyMismatches, toRootKeyInfo, type KeyProtection, type KeySize, type RootKeyInfo } from "../rules/key-rules.js";
import { getDeletedKeyOrUndefined, getKeyOrUndefined, azureCallOptions } from "../azure/key-vault-reads.js";
import { pagedIterator, type PagedAsyncIterableIterator } from "../internal/paged-iterator.js";
import { KeyVaultRootKey } from "./root-key.js";
import type {
  ClearExpiryResult,
  CreateRootKeyOptions,
  CreateRootKeyResult,
  GetRootKeyOptions,
  ImportRootKeyOptions,
  ImportRootKeyResult,
  RecoverRootKeyResult,
  RollRootKeyOptions,
  RollRootKeyResult,
  RootKeyAdapterOptions,
} from "./types.js";
import { runOperation, type OperationOptions } from "../internal/operation.js";
import { keyIdOf, parseKeyId, resolveVaultUrl, validateKeyName, type VaultRef } from "../azure/vault-and-key-ids.js";

/** One version of a key, as `listVersions` yields it. */
export interface RootKeyVersionInfo {
  /** Versioned key id. */
  id: string;
  /** The version (32 hex characters). */
  version: string;
  /** False when the version is disabled. */
  enabled: boolean;
  /** Not usable before this time; undefined when unset. */
  notBefore: Date | undefined;
  /** Expiry; undefined when unset. */
  expiresOn: Date | undefined;
  /** When the version was created. */
  createdOn: Date | undefined;
  /** When the version was last updated. */
  updatedOn: Date | undefined;
}

function checkProtection(protection: unknown): KeyProtection {
  if (protection !== "hsm" && protection !== "software") {
    throw new InvalidInputError("ERR_KEY_PROTECTION_INVALID", `protection must be 'hsm' or 'software' (got '${String(protection)}').`, { field: "protection" });
  }
  return protection;
}

function checkSize(size: unknown): KeySize {
  if (!(KEY_SIZES as readonly unknown[]).includes(size)) {
    throw new InvalidInputError("ERR_KEY_SIZE_INVALID", `size must be 2048, 3072 or 4096 (got ${String(size)}).`, { field: "size" });
  }
  return size as KeySize;
}

const softDeleted = (name: string, vaultUrl: string) =>
  new PreconditionFailedError(
    "ERR_KEY_SOFT_DELETED",
    `Key '${name}' in ${vaultUrl} is soft-deleted. Recover it with client.keys.recover() (Undo-AzKeyVaultKeyRemoval -VaultName <vault> -Name ${name}); its name cannot be reused until then. ${RECOVER_PERMISSION_HINT}`,
  );

const notFound = (name: string, vaultUrl: string) =>
  new PreconditionFailedError(
    "ERR_KEY_NOT_FOUND",
    `Key '${name}' does not exist in ${vaultUrl}, live or soft-deleted. Create it with client.keys.create(), or restore it with client.backups.restoreKey().`,
  );

/** What roll needs to back the key up afterwards; the facade injects client.backups. */
export interface KeyBackupWriter {
  backupKey(keyId: string, options: { directory: string; abortSignal?: AbortSignal }): Promise<BackupResult>;
}

/** `client.keys`: root keys in the vaults — create, import, roll, clear expiry, recover, read, list versions, and envelope adapters. */
export interface KeysOperations {
  /**
   * Creates an RSA root key with key_ops exactly [wrapKey, unwrapKey] and no expiry. Idempotent:
   * a key whose current version already matches is returned as it is (`created: false`); a key
   * that differs is refused with `ERR_KEY_MISMATCH` (add a version with `roll`, or fix it).
   */
  create(vault: VaultRef, name: string, options?: CreateRootKeyOptions): Promise<CreateRootKeyResult>;
  /**
   * Imports your own RSA key (BYOK) as the key's current version. The JWK must hold the private
   * parts; it is checked before anything is sent and never appears in logs or errors. Importing
   * the material the current version already holds does nothing (`imported: false`).
   */
  import(vault: VaultRef, name: string, jwk: ImportableJwk, options?: ImportRootKeyOptions): Promise<ImportRootKeyResult>;
  /**
   * Rolls a key: a new version with the same type, size and operations (no expiry), then a backup
   * when `backupDirectory` is given. Old versions stay enabled: data wrapped by them must open.
   */
  roll(keyId: string, options?: RollRootKeyOptions): Promise<RollRootKeyResult>;
  /**
   * Makes a version acceptable to Microsoft 365: an expiry cannot be removed in Azure, so it is
   * set to 9999-12-31T00:00:00Z as Microsoft prescribes. A versionless id means the current
   * version. Idempotent: no expiry, or already 9999-12-31, sends nothing.
   */
  clearExpiry(keyId: string, options?: OperationOptions): Promise<ClearExpiryResult>;
  /**
   * Recovers a soft-deleted key (the first resort when a key was deleted by mistake). A live key
   * is returned as it is. A key that is neither live nor soft-deleted is `ERR_KEY_NOT_FOUND`:
   * restore it from a backup.
   */
  recover(vault: VaultRef, name: string, options?: OperationOptions): Promise<RecoverRootKeyResult>;
  /** A key version (default: the current one). */
  get(vault: VaultRef, name: string, options?: GetRootKeyOptions): Promise<RootKeyInfo>;
  /** The versioned key URI of the current version: what Microsoft 365's onboarding and policies take. */
  getKeyUri(vault: VaultRef, name: string, options?: OperationOptions): Promise<string>;
  /** Every version of a key, page by page (`for await`, or `.byPage()`). */
  listVersions(vault: VaultRef, name: string, options?: OperationOptions): PagedAsyncIterableIterator<RootKeyVersionInfo>;
  /** The key as a RootKey of the envelope core (RSA-OAEP-256, remote), sharing this client's credential and options. */
  rootKey(keyId: string, options?: RootKeyAdapterOptions): KeyVaultRootKey;
}

/** Implements KeysOperations; built by the facade from the internal context. @internal */
export class KeysClient implements KeysOperations {
  readonly #context: ClientContext;
  readonly #backups: KeyBackupWriter;
  /** KeyClients with the expiry fix (see expiry-fix.ts), per vault, for clearExpiry's PATCH. */
  readonly #patchClients = new Map<string, KeyClient>();

  constructor(context: ClientContext, backups: KeyBackupWriter) {
    this.#context = context;
    this.#backups = backups;
  }

  /**
   * Creates an RSA root key with key_ops exactly [wrapKey, unwrapKey] and no expiry. Idempotent:
   * a key whose current version already matches is returned as it is (`created: false`); a key
   * that differs is refused with `ERR_KEY_MISMATCH` (add a version with `roll`, or fix it).
   */
  create(vault: VaultRef, name: string, options: CreateRootKeyOptions = {}): Promise<CreateRootKeyResult> {
    return runOperation(this.#context, "keys.create", options, async (options) => {
      validateKeyName(name);
      const wanted = { size: checkSize(options.size ?? 2048), protection: checkProtection(options.protection ?? "hsm") };
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const matching = (key: KeyVaultKey) => {
        const info = toRootKeyInfo(key);
        const problems = rootKeyMismatches(info, wanted);
        if (problems.length === 0) return info;
        throw new PreconditionFailedError(
          "ERR_KEY_MISMATCH",
          `Key '${name}' already exists in ${vaultUrl} but its current version differs: ${problems.join("; ")}. Nothing was changed. Roll it (client.keys.roll) or fix it (client.keys.clearExpiry) instead.`,
        );
      };
      const existing = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (existing) return { key: matching(existing), created: false };
      if (await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options)) throw softDeleted(name, vaultUrl);

      const key = await this.#context.audit.change({ what: "keys.create", target: keyIdOf(vaultUrl, name), before: null }, () => withRetry("keys.create", async (attempt) => {
        if (attempt > 1) {
          // An earlier attempt may have landed before its answer was lost: never add a second version.
          const landed = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
          if (landed) return landed;
        }
        return this.#context.keys(vaultUrl).createRsaKey(name, {
          hsm: wanted.protection === "hsm",
          keySize: wanted.size,
          keyOps: [...ROOT_KEY_OPERATIONS] as never,
          ...azureCallOptions(options),
        });
      }, this.#context.retryOptions(options)), (key) => auditedKey(key));
      const info = matching(key);
      this.#context.logger.info(`keys.create: created ${info.id} (${info.keyType} ${wanted.size}).`);
      return { key: info, created: true };
    });
  }

  /**
   * Imports your own RSA key (BYOK) as the key's current version. The JWK must hold the private
   * parts; it is checked before anything is sent and never appears in logs or errors. Importing
   * the material the current version already holds does nothing (`imported: false`).
   */
  import(vault: VaultRef, name: string, jwk: ImportableJwk, options: ImportRootKeyOptions = {}): Promise<ImportRootKeyResult> {
    return runOperation(this.#context, "keys.import", options, async (options) => {
      validateKeyName(name);
      const protection = checkProtection(options.protection ?? "hsm");
      const material = toImportJwk(jwk);
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const existing = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (existing && sameModulus(existing.key?.n, material.n)) return { key: toRootKeyInfo(existing), imported: false };
      if (!existing && (await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options))) throw softDeleted(name, vaultUrl);
      // The line names the versions, never the material (scrub would drop it too).
      const key = await this.#context.audit.change({ what: "keys.import", target: keyIdOf(vaultUrl, name), before: existing ? auditedKey(existing) : null }, () => withRetry("keys.import", async (attempt) => {
        if (attempt > 1) {
          const landed = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
          if (landed && sameModulus(landed.key?.n, material.n)) return landed;
        }
        return this.#context.keys(vaultUrl).importKey(name, material, { hardwareProtected: protection === "hsm", ...azureCallOptions(options) });
      }, this.#context.retryOptions(options)), (key) => auditedKey(key));
      const info = toRootKeyInfo(key);
      this.#context.logger.info(`keys.import: imported ${info.id} (${info.keyType}).`);
      return { key: info, imported: true };
    });
  }

  /**
   * Rolls a key: a new version with the same type, size and operations (no expiry), then a backup
   * when `backupDirectory` is given. Old versions stay enabled: data wrapped by them must open.
   */
  roll(keyId: string, options: RollRootKeyOptions = {}): Promise<RollRootKeyResult> {
    return runOperation(this.#context, "keys.roll", options, async (options) => {
      const { vaultUrl, name } = parseKeyId(keyId);
      const current = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (!current) {
        if (await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options)) throw softDeleted(name, vaultUrl);
        throw notFound(name, vaultUrl);
      }
      const before = toRootKeyInfo(current);
      if (before.keyType !== "RSA" && before.keyType !== "RSA-HSM") {
        throw new PreconditionFailedError("ERR_KEY_TYPE_UNSUPPORTED", `Key ${before.versionlessId} is ${before.keyType}; Customer Key root keys are RSA.`);
      }
      const rolled = await this.#context.audit.change({ what: "keys.roll", target: before.versionlessId, before: auditedKey(current) }, () => withRetry("keys.roll", async (attempt) => {
        if (attempt > 1) {
          const now = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
          if (now && now.properties.version !== before.version) return now;
        }
        return this.#context.keys(vaultUrl).createRsaKey(name, {
          hsm: before.keyType === "RSA-HSM",
          ...(before.keySize ? { keySize: before.keySize } : {}),
          keyOps: before.keyOperations as never,
          ...azureCallOptions(options),
        });
      }, this.#context.retryOptions(options)), (key) => auditedKey(key));
      const after = toRootKeyInfo(rolled);
      this.#context.logger.info(`keys.roll: ${before.versionlessId} rolled from version ${before.version} to ${after.version}.`);
      const result: RollRootKeyResult = { previousKeyId: before.id, currentKeyId: after.id, key: after };
      if (options.backupDirectory !== undefined) {
        result.backup = await this.#backups.backupKey(after.versionlessId, { directory: options.backupDirectory, ...azureCallOptions(options) });
      }
      return result;
    });
  }

  /**
   * Makes a version acceptable to Microsoft 365: an expiry cannot be removed in Azure, so it is
   * set to 9999-12-31T00:00:00Z as Microsoft prescribes. A versionless id means the current
   * version. Idempotent: no expiry, or already 9999-12-31, sends nothing.
   */
  clearExpiry(keyId: string, options: OperationOptions = {}): Promise<ClearExpiryResult> {
    return runOperation(this.#context, "keys.clearExpiry", options, async (options) => {
      const { vaultUrl, name, version } = parseKeyId(keyId);
      const key = await withRetry("keys.get", () => this.#context.keys(vaultUrl).getKey(name, { ...azureCallOptions(options), ...(version ? { version } : {}) }), this.#context.retryOptions(options));
      const info = toRootKeyInfo(key);
      if (isClearedExpiry(info.expiresOn)) return { key: info, changed: false };
      // A PATCH of one attribute: repeating it is harmless.
      const updated = await this.#context.audit.change({ what: "keys.clearExpiry", target: info.id, before: { expiresOn: info.expiresOn } }, () => withRetry("keys.updateProperties", () =>
        this.#patchClient(vaultUrl).updateKeyProperties(name, info.version, { expiresOn: NO_EXPIRY, ...azureCallOptions(options) }),
      this.#context.retryOptions(options)), (key) => ({ expiresOn: key.properties.expiresOn }));
      this.#context.logger.info(`keys.clearExpiry: ${info.id} now expires 9999-12-31 (was ${info.expiresOn!.toISOString()}).`);
      return { key: toRootKeyInfo(updated), changed: true };
    });
  }

  #patchClient(vaultUrl: string): KeyClient {
    let client = this.#patchClients.get(vaultUrl);
    if (!client) {
      client = new KeyClient(vaultUrl, this.#context.credential, { ...this.#context.pipelineOptions, additionalPolicies: [...(this.#context.pipelineOptions.additionalPolicies ?? []), { policy: expiryFixPolicy, position: "perCall" }] });
      this.#patchClients.set(vaultUrl, client);
    }
    return client;
  }

  /**
   * Recovers a soft-deleted key (the first resort when a key was deleted by mistake). A live key
   * is returned as it is. A key that is neither live nor soft-deleted is `ERR_KEY_NOT_FOUND`:
   * restore it from a backup.
   */
  recover(vault: VaultRef, name: string, options: OperationOptions = {}): Promise<RecoverRootKeyResult> {
    return runOperation(this.#context, "keys.recover", options, async (options) => {
      validateKeyName(name);
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const live = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (live) return { key: toRootKeyInfo(live), recovered: false };
      if (!(await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options))) throw notFound(name, vaultUrl);
      // The SDK's recover poller reads the key first, so a retry after a lost answer is a no-op.
      await this.#context.audit.change({ what: "keys.recover", target: keyIdOf(vaultUrl, name), before: { state: "softDeleted" } }, () => withRetry("keys.recover", async () => {
        const poller = await this.#context.keys(vaultUrl).beginRecoverDeletedKey(name, { intervalInMs: Math.min(this.#context.pollIntervalInMs, 2000), ...azureCallOptions(options) });
        return poller.pollUntilDone(azureCallOptions(options));
      }, this.#context.retryOptions(options)), (key) => ({ state: "live", ...auditedKey(key) }));
      const key = await withRetry("keys.get", () => this.#context.keys(vaultUrl).getKey(name, azureCallOptions(options)), this.#context.retryOptions(options));
      this.#context.logger.info(`keys.recover: recovered ${keyIdOf(vaultUrl, name)} from soft delete.`);
      return { key: toRootKeyInfo(key), recovered: true };
    });
  }

  /** A key version (default: the current one). */
  get(vault: VaultRef, name: string, options: GetRootKeyOptions = {}): Promise<RootKeyInfo> {
    return runOperation(this.#context, "keys.get", options, async (options) => {
      validateKeyName(name);
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const key = await withRetry("keys.get", () => this.#context.keys(vaultUrl).getKey(name, { ...azureCallOptions(options), ...(options.version ? { version: options.version } : {}) }), this.#context.retryOptions(options));
      return toRootKeyInfo(key);
    });
  }

  /** The versioned key URI of the current version: what Microsoft 365's onboarding and policies take. */
  getKeyUri(vault: VaultRef, name: string, options: OperationOptions = {}): Promise<string> {
    return runOperation(this.#context, "keys.getKeyUri", options, async (options) => {
      validateKeyName(name);
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const key = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (!key) {
        if (await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options)) throw softDeleted(name, vaultUrl);
        throw notFound(name, vaultUrl);
      }
      return toRootKeyInfo(key).id;
    });
  }

  /** Every version of a key, page by page (`for await`, or `.byPage()`). */
  listVersions(vault: VaultRef, name: string, options: OperationOptions = {}): PagedAsyncIterableIterator<RootKeyVersionInfo> {
    validateKeyName(name);
    let vaultUrl: string | undefined;
    // One operation (span, log line) per page, as the Azure SDK's pagers trace each page.
    return pagedIterator((token) =>
      runOperation(this.#context, "keys.listVersions", options, async (options) => {
        vaultUrl ??= await resolveVaultUrl(this.#context, vault, options);
        const url = vaultUrl;
        return withRetry("keys.listVersions", async () => {
          const next = await this.#context.keys(url).listPropertiesOfKeyVersions(name, azureCallOptions(options)).byPage(token ? { continuationToken: token } : {}).next();
          if (next.done) return { items: [], continuationToken: undefined };
          return { items: next.value.map(versionInfo), continuationToken: (next.value as KeyProperties[] & { continuationToken?: string }).continuationToken };
        }, this.#context.retryOptions(options));
      }),
    );
  }

  /** The key as a RootKey of the envelope core (RSA-OAEP-256, remote), sharing this client's credential and options. */
  rootKey(keyId: string, options: RootKeyAdapterOptions = {}): KeyVaultRootKey {
    return new KeyVaultRootKey(keyId, this.#context.credential, { ...this.#context.pipelineOptions, retry: options.retry ?? this.#context.retry });
  }
}

/** What an audit line says of a key version: its id and settings, never its material. */
function auditedKey(key: KeyVaultKey): Record<string, unknown> {
  const info = toRootKeyInfo(key);
  return { keyId: info.id, keyType: info.keyType, keySize: info.keySize, keyOperations: info.keyOperations, enabled: info.enabled, expiresOn: info.expiresOn ?? null };
}

function versionInfo(p: KeyProperties): RootKeyVersionInfo {
  return {
    id: p.id ?? keyIdOf(p.vaultUrl, p.name, p.version),
    version: p.version ?? "",
    enabled: p.enabled !== false,
    notBefore: p.notBefore,
    expiresOn: p.expiresOn,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
  };
}
