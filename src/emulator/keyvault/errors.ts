import { ServiceError } from "../kernel/http.js";

/**
 * Key Vault's errors, with the codes and messages the real service sends where they are known
 * (research/keyvault-keys-contract.md §3); the rest are marked in the report as chosen.
 */
export const kvErrors = {
  badParameter: (message: string) => new ServiceError(400, "BadParameter", message),
  missingApiVersion: () =>
    new ServiceError(400, "BadParameter", "The 'api-version' query parameter is missing. Add '?api-version=7.6' (or another supported version) to the request URI."),
  unsupportedApiVersion: (version: string) =>
    new ServiceError(400, "BadParameter", `The specified version (${version}) is not recognized. Consider using the latest supported version (2025-07-01).`),
  invalidName: (name: string) => new ServiceError(400, "BadParameter", `The request URI contains an invalid name: ${name}`),
  vaultNotFound: (vault: string) =>
    new ServiceError(404, "VaultNotFound", `The vault '${vault}' does not exist. (A real Key Vault host name would not resolve; the emulator answers 404 instead.)`),
  keyNotFound: (nameOrId: string) =>
    new ServiceError(
      404,
      "KeyNotFound",
      `A key with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  deletedKeyNotFound: (name: string) => new ServiceError(404, "KeyNotFound", `Deleted Key not found: ${name}`),
  deletedButRecoverable: (name: string) =>
    new ServiceError(
      409,
      "Conflict",
      `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
      { innerCode: "ObjectIsDeletedButRecoverable" },
    ),
  /** Recorded (azure-error-evidence.md §7, C++ recording CreateDeletedKeyBeforePollComplete). */
  beingDeleted: (name: string) =>
    new ServiceError(409, "Conflict", `Key ${name} is currently being deleted and cannot be re-created; retry later.`, { innerCode: "ObjectIsBeingDeleted" }),
  /** Inferred: recover or purge while the delete is still running; the real answer was never recorded. */
  stillBeingDeleted: (name: string) =>
    new ServiceError(409, "Conflict", `Key ${name} is currently being deleted; retry later.`, { innerCode: "ObjectIsBeingDeleted" }),
  /** Inferred: a create while a recover is still running; the real answer was never recorded. */
  beingRecovered: (name: string) =>
    new ServiceError(409, "Conflict", `Key ${name} is currently being recovered; retry later.`, { innerCode: "ObjectIsBeingRecovered" }),
  /** Recorded (evidence §7): also the answer to a restore within seconds of a purge, without innererror. */
  restoreConflict: (kid: string) =>
    new ServiceError(
      409,
      "Conflict",
      `There was a conflict restoring the key '${kid}'. This can happen if either: a second key with the same name was created after the first key was deleted; thus trying to restore a key whose name is already in use. To fix this, rename the second key to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the key. To avoid this error, perform operations against a key in a sequential manner.`,
    ),
  malformedBackup: () => new ServiceError(400, "Malformed backup blob", "Backup blob contains invalid or corrupt version."),
  purgeProtected: (vault: string, location: string) =>
    new ServiceError(
      403,
      "Forbidden",
      `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. Vault: ${vault};location=${location}`,
    ),
  softDeleteDisabled: () =>
    new ServiceError(400, "BadParameter", "This operation is only supported on vaults that have soft delete enabled."),
  keyDisabled: (op: string) => new ServiceError(403, "Forbidden", `Operation ${op} is not allowed on a disabled key.`, { innerCode: "KeyDisabled" }),
  /** The innererror codes `KeyExpired` and `KeyNotYetValid` and their messages are inferred (evidence §4: 403 Forbidden confirmed). */
  keyExpired: (op: string) => new ServiceError(403, "Forbidden", `Operation ${op} is not allowed on an expired key.`, { innerCode: "KeyExpired" }),
  keyNotYetValid: (op: string) =>
    new ServiceError(403, "Forbidden", `Operation ${op} is not allowed on a key that is not yet valid.`, { innerCode: "KeyNotYetValid" }),
  operationNotPermitted: (op: string) => new ServiceError(403, "Forbidden", `Operation ${op} is not permitted on this key.`, { innerCode: "KeyOperationForbidden" }),
  hsmOnStandard: () => new ServiceError(400, "BadParameter", "Hardware key operation not allowed on standard vault"),
};
