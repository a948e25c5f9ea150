/**
 * client.policies.multiWorkload: multi-workload data encryption policies (Teams, Purview and the
 * other Microsoft 365 workloads: the M365DataAtRestEncryption principal wraps with the keys), and
 * the tenant's one assignment.
 */
import type { PagedAsyncIterableIterator, PageSettings } from "@azure/keyvault-keys";
import { ConfirmationRequiredError, InvalidInputError } from "../../errors.js";
import type { ClientContext } from "../../internal/context.js";
import { runOperation, type OperationOptions } from "../../internal/operation.js";
import type { ExchangeTransport } from "../../transports/exchange-transport.js";
import { MULTI_WORKLOAD_POLICIES, PolicyCommands } from "../policy-commands.js";
import { singlePage } from "../../internal/paged-iterator.js";
import type { AssignMultiWorkloadOptions, AssignMultiWorkloadResult, CreatePolicyInput, CreatePolicyOptions, CreatePolicyResult, DataEncryptionPolicy, MultiWorkloadAssignment } from "../types.js";

/** Multi-workload data encryption policies and the tenant's assignment. */
export interface MultiWorkloadPoliciesOperations {
  /**
   * Creates a multi-workload DEP (`New-M365DataAtRestEncryptionPolicy`) with the same checks as the
   * Exchange DEPs (name, two keys in two vaults of two subscriptions, live keys meeting the key
   * rules). Idempotent: same name and keys is a no-op (`created: false`), other keys `ERR_POLICY_CONFLICT`.
   */
  create(input: CreatePolicyInput, options?: CreatePolicyOptions): Promise<CreatePolicyResult>;
  /** The policy by name or GUID, or undefined. */
  get(nameOrGuid: string, options?: OperationOptions): Promise<DataEncryptionPolicy | undefined>;
  /** Every multi-workload DEP of the tenant. */
  list(options?: OperationOptions): PagedAsyncIterableIterator<DataEncryptionPolicy, DataEncryptionPolicy[], PageSettings>;
  /** Rewraps with the current key versions (`Set-M365DataAtRestEncryptionPolicy -Refresh`). */
  refresh(name: string, options?: OperationOptions): Promise<DataEncryptionPolicy>;
  /** Enables or disables the policy; the assigned policy cannot be disabled. */
  setEnabled(name: string, enabled: boolean, options?: OperationOptions): Promise<DataEncryptionPolicy>;
  /**
   * Assigns the policy to the tenant (`Set-M365DataAtRestEncryptionPolicyAssignment`). A tenant has
   * one assignment: replacing another policy needs `replaceConfirm` naming that policy.
   */
  assign(policy: string, options?: AssignMultiWorkloadOptions): Promise<AssignMultiWorkloadResult>;
  /** The tenant's assignment, or undefined when none. */
  getAssignment(options?: OperationOptions): Promise<MultiWorkloadAssignment | undefined>;
}

export class MultiWorkloadPoliciesClient implements MultiWorkloadPoliciesOperations {
  readonly #context: ClientContext;
  readonly #transport: ExchangeTransport;
  readonly #commands: PolicyCommands;

  constructor(context: ClientContext, transport: ExchangeTransport) {
    this.#context = context;
    this.#transport = transport;
    this.#commands = new PolicyCommands(context, transport, MULTI_WORKLOAD_POLICIES);
  }

  create(input: CreatePolicyInput, options: CreatePolicyOptions = {}): Promise<CreatePolicyResult> {
    return runOperation(this.#context, "policies.multiWorkload.create", options, (o) => this.#commands.create(input, o));
  }

  get(nameOrGuid: string, options: OperationOptions = {}): Promise<DataEncryptionPolicy | undefined> {
    return runOperation(this.#context, "policies.multiWorkload.get", options, (o) => this.#commands.find(nameOrGuid, o));
  }

  list(options: OperationOptions = {}): PagedAsyncIterableIterator<DataEncryptionPolicy, DataEncryptionPolicy[], PageSettings> {
    return singlePage(() => runOperation(this.#context, "policies.multiWorkload.list", options, (o) => this.#commands.list(o)));
  }

  refresh(name: string, options: OperationOptions = {}): Promise<DataEncryptionPolicy> {
    return runOperation(this.#context, "policies.multiWorkload.refresh", options, (o) => this.#commands.refresh(name, o));
  }

  setEnabled(name: string, enabled: boolean, options: OperationOptions = {}): Promise<DataEncryptionPolicy> {
    return runOperation(this.#context, "policies.multiWorkload.setEnabled", options, (o) => this.#commands.setEnabled(name, enabled, o));
  }

  getAssignment(options: OperationOptions = {}): Promise<MultiWorkloadAssignment | undefined> {
    return runOperation(this.#context, "policies.multiWorkload.getAssignment", options, (o) => this.#readAssignment(o));
  }

  async #readAssignment(o: OperationOptions): Promise<MultiWorkloadAssignment | undefined> {
    const row = (await this.#transport.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicyAssignment" }, o)).value[0];
    if (!row || typeof row["Name"] !== "string") return undefined;
    const id = row["DataEncryptionPolicyId"];
    return { policyName: row["Name"], policyId: typeof id === "string" ? id.toLowerCase() : "" };
  }

  assign(policy: string, options: AssignMultiWorkloadOptions = {}): Promise<AssignMultiWorkloadResult> {
    return runOperation(this.#context, "policies.multiWorkload.assign", options, async (o) => {
      if (typeof policy !== "string" || policy.trim() === "") throw new InvalidInputError("ERR_POLICY_NAME_INVALID", "policy must name a multi-workload data encryption policy.", { field: "policy" });
      const target = await this.#commands.require(policy, o);
      const current = await this.#readAssignment(o);
      if (current && (current.policyName.toLowerCase() === target.name.toLowerCase() || (current.policyId && current.policyId === target.id))) {
        return { policyName: target.name, replaced: undefined, changed: false };
      }
      if (current && options.replaceConfirm !== current.policyName) {
        throw new ConfirmationRequiredError(
          `The tenant's multi-workload policy is '${current.policyName}'; a tenant has one, so assigning '${target.name}' replaces it. Pass replaceConfirm: '${current.policyName}' to replace it.`,
        );
      }
      await this.#context.audit.change(
        { what: "policies.multiWorkload.assign", target: "tenant", before: current ? { policyName: current.policyName } : null },
        () => this.#transport.invoke({ cmdlet: "Set-M365DataAtRestEncryptionPolicyAssignment", parameters: { DataEncryptionPolicy: target.name } }, o),
        () => ({ policyName: target.name }),
      );
      return { policyName: target.name, replaced: current?.policyName, changed: true };
    });
  }
}
