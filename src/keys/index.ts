export { KeysClient, type RootKeyVersionInfo } from "./keys-client.js";
export { KeyVaultRootKey, ROOT_KEY_WRAP_ALGORITHM, type KeyVaultRootKeyOptions } from "./root-key.js";
export {
  KEY_SIZES,
  NO_EXPIRY,
  REQUIRED_RECOVERY_LEVEL,
  ROOT_KEY_OPERATIONS,
  isAcceptedExpiry,
  rootKeyMismatches,
  type KeyProtection,
  type KeySize,
  type RootKeyInfo,
} from "../rules/key-rules.js";
export { keyIdOf, parseKeyId, type KeyIdParts, type VaultRef } from "../azure/vault-and-key-ids.js";
export type { ImportableJwk } from "./jwk.js";
export type { PagedAsyncIterableIterator, PageSettings } from "./paging.js";
export type {
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
