/**
 * CustomerKeyClient: the facade. One credential, one set of options (endpoints, pipeline options,
 * retry, logger), shared by every module through a ClientContext.
 */
import type { TokenCredential } from "@azure/core-auth";
import { BackupsClient } from "./backups/backups-client.js";
import { DirectoryClient } from "./directory/directory-client.js";
import { InvalidInputError } from "./errors.js";
import { ClientContext, type CustomerKeyClientOptions } from "./internal/context.js";
import { isGuid } from "./internal/ids.js";
import { KeysClient } from "./keys/keys-client.js";
import { SubscriptionsClient } from "./subscriptions/subscriptions-client.js";
import { VaultPairsClient } from "./vaults/vault-pairs-client.js";
import type { PreflightReport } from "./validation/report.js";
import type { ValidateOptions, ValidationInput } from "./validation/types.js";
import { validate } from "./validation/validate.js";

export class CustomerKeyClient {
  /** Do-Not-Cancel registration and subscription reads. */
  readonly subscriptions: SubscriptionsClient;
  /** Vault pairs: plan, apply, access (list, grant, revoke). */
  readonly vaultPairs: VaultPairsClient;
  /** Root keys in the vaults: create, import, roll, recover; KeyVaultRootKey adapters. */
  readonly keys: KeysClient;
  /** Key backups to directories, verification and restore. */
  readonly backups: BackupsClient;
  /** Microsoft Graph lookups (users, service principals). */
  readonly directory: DirectoryClient;
  readonly #context: ClientContext;

  constructor(credential: TokenCredential, options: CustomerKeyClientOptions) {
    if (!credential || typeof (credential as { getToken?: unknown }).getToken !== "function") {
      throw new InvalidInputError("ERR_CREDENTIAL_INVALID", "credential must be a TokenCredential (e.g. new DefaultAzureCredential()).", { field: "credential" });
    }
    if (!options || !isGuid(options.tenantId)) {
      throw new InvalidInputError("ERR_TENANT_ID_INVALID", `options.tenantId '${String(options?.tenantId)}' must be the Entra tenant id (a GUID).`, { field: "tenantId" });
    }
    this.#context = new ClientContext(credential, options);
    this.directory = new DirectoryClient(this.#context);
    this.subscriptions = new SubscriptionsClient(this.#context);
    this.vaultPairs = new VaultPairsClient(this.#context, this.directory, this.subscriptions);
    this.keys = new KeysClient(this.#context);
    this.backups = new BackupsClient(this.#context);
  }

  /**
   * The preflight report: reads both subscriptions, vaults, keys and access (writes nothing) and
   * returns every check with pass/fail/warn, the evidence seen and how to fix it. Accepts a
   * validation target or the VaultPairSpec a pair was planned from.
   */
  validate(target: ValidationInput, options: ValidateOptions = {}): Promise<PreflightReport> {
    return validate(this.#context, target, options);
  }

  /** The tenant the client works in. */
  get tenantId(): string {
    return this.#context.tenantId;
  }
}
