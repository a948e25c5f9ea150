/** vaultPairs: plan a Customer Key vault pair, apply the plan, and manage access afterwards. */
import type { GraphDirectory } from "../azure/graph-directory.js";
import type { ClientContext } from "../internal/context.js";
import type { CustomerKeyPoller } from "../internal/poller.js";
import type { SubscriptionReads } from "../azure/arm-subscriptions.js";
import { VaultAccess, type AccessEntry, type GrantAdministratorResult, type RevokeAccessOptions, type RevokeAccessResult } from "./access/vault-access.js";
import { beginApplyPlan } from "./apply.js";
import type { VaultArm } from "../azure/arm-vaults.js";
import type { OperationOptions } from "../internal/operation.js";
import { formatPlan } from "./plan/format-plan.js";
import { suggestVaultNames, type SuggestVaultNamesOptions, type VaultNameSuggestion } from "../rules/vault-naming.js";
import type { ApplyOperationState, ApplyOptions, ApplyResult, PlanOptions, VaultPairPlan } from "./plan/plan-types.js";
import { planVaultPair } from "./plan/plan-vault-pair.js";
import type { VaultPairSpec } from "../rules/vault-pair-spec.js";
import { runOperation } from "../internal/operation.js";
import type { VaultCoordinates as VaultRef } from "../azure/vault-and-key-ids.js";

/** `client.vaultPairs`: plan a Customer Key vault pair, apply the plan, and manage access afterwards. */
export interface VaultPairsOperations {
  /**
   * Validates the spec (InvalidInputError before any request), resolves the principals through
   * Microsoft Graph, reads what exists and returns the changes apply would make. Writes nothing.
   */
  plan(spec: VaultPairSpec, options?: PlanOptions): Promise<VaultPairPlan>;
  /**
   * Makes exactly the plan's changes, in order (providers, resource groups, vaults, role
   * definitions, access). Refuses a plan with problems (PreconditionFailedError
   * `ERR_PLAN_HAS_PROBLEMS`). Safe to run again or resume: done changes are skipped on re-read.
   */
  beginApply(plan: VaultPairPlan, options?: ApplyOptions): CustomerKeyPoller<ApplyOperationState, ApplyResult>;
  /** The plan as Markdown. */
  formatPlan(plan: VaultPairPlan): string;
  /** Every grant on the vault: access-policy entries and role assignments, with names from Graph. */
  listAccess(vault: VaultRef, options?: OperationOptions): Promise<AccessEntry[]>;
  /** Gives a principal the Customer Key admin key permissions (never delete or purge). */
  grantAdministrator(vault: VaultRef, principal: string, options?: OperationOptions): Promise<GrantAdministratorResult>;
  /** The leaver case: removes that principal's grants on that vault only. Needs `{ confirm: principal }`. */
  revokeAccess(vault: VaultRef, principal: string, options: RevokeAccessOptions): Promise<RevokeAccessResult>;
  /** Two valid names of at most 24 characters (Microsoft's own `Contoso-O365SP-NA-VaultA1` has 25). */
  suggestVaultNames(options: SuggestVaultNamesOptions): VaultNameSuggestion;
}

/** Implements VaultPairsOperations; built by the facade from the internal context. @internal */
export class VaultPairsClient implements VaultPairsOperations {
  readonly #context: ClientContext;
  readonly #arm: VaultArm;
  readonly #directory: GraphDirectory;
  readonly #subscriptions: SubscriptionReads;
  readonly #access: VaultAccess;

  constructor(context: ClientContext, arm: VaultArm, directory: GraphDirectory, subscriptions: SubscriptionReads) {
    this.#context = context;
    this.#arm = arm;
    this.#directory = directory;
    this.#subscriptions = subscriptions;
    this.#access = new VaultAccess(this.#arm, directory, context.audit);
  }

  /**
   * Validates the spec (InvalidInputError before any request), resolves the principals through
   * Microsoft Graph, reads what exists and returns the changes apply would make. Writes nothing.
   */
  plan(spec: VaultPairSpec, options: PlanOptions = {}): Promise<VaultPairPlan> {
    return runOperation(this.#context, "vaultPairs.plan", options, async (options) => {
      return planVaultPair({ arm: this.#arm, directory: this.#directory, subscriptions: this.#subscriptions, tenantId: this.#context.tenantId }, spec, options);
    });
  }

  /**
   * Makes exactly the plan's changes, in order (providers, resource groups, vaults, role
   * definitions, access). Refuses a plan with problems (PreconditionFailedError
   * `ERR_PLAN_HAS_PROBLEMS`). Safe to run again or resume: done changes are skipped on re-read.
   */
  beginApply(plan: VaultPairPlan, options: ApplyOptions = {}): CustomerKeyPoller<ApplyOperationState, ApplyResult> {
    return beginApplyPlan(this.#context, this.#arm, plan, options);
  }

  /** The plan as Markdown. */
  formatPlan(plan: VaultPairPlan): string {
    return formatPlan(plan);
  }

  /** Every grant on the vault: access-policy entries and role assignments, with names from Graph. */
  listAccess(vault: VaultRef, options: OperationOptions = {}): Promise<AccessEntry[]> {
    return runOperation(this.#context, "vaultPairs.listAccess", options, async (options) => {
      return this.#access.listAccess(vault, options);
    });
  }

  /** Gives a principal the Customer Key admin key permissions (never delete or purge). */
  grantAdministrator(vault: VaultRef, principal: string, options: OperationOptions = {}): Promise<GrantAdministratorResult> {
    return runOperation(this.#context, "vaultPairs.grantAdministrator", options, async (options) => {
      return this.#access.grantAdministrator(vault, principal, options);
    });
  }

  /** The leaver case: removes that principal's grants on that vault only. Needs `{ confirm: principal }`. */
  revokeAccess(vault: VaultRef, principal: string, options: RevokeAccessOptions): Promise<RevokeAccessResult> {
    return runOperation(this.#context, "vaultPairs.revokeAccess", options, async (options) => {
      return this.#access.revokeAccess(vault, principal, options);
    });
  }

  /** Two valid names of at most 24 characters (Microsoft's own `Contoso-O365SP-NA-VaultA1` has 25). */
  suggestVaultNames(options: SuggestVaultNamesOptions): VaultNameSuggestion {
    return suggestVaultNames(options);
  }
}
