/**
 * The policy cmdlets both kinds share (New-/Get-/Set-DataEncryptionPolicy and their
 * M365DataAtRestEncryption twins): create (idempotent), get, list, refresh, setEnabled.
 */
import { PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { UNCHANGED } from "../internal/audit.js";
import type { OperationOptions } from "../internal/operation.js";
import { EXCHANGE_POLICY_LIMIT, validatePolicyKeyUris, validatePolicyName } from "../rules/data-encryption-policy.js";
import type { ExchangeCmdlet, ExchangeCommand, ExchangeTransport } from "../transports/exchange-transport.js";
import { checkPolicyKeys } from "./policy-key-checks.js";
import { sameKeyUris, toPolicy } from "./policy-rows.js";
import type { CreatePolicyInput, CreatePolicyOptions, CreatePolicyResult, DataEncryptionPolicy } from "./types.js";

/** The cmdlets of one kind of policy. */
export interface PolicyKind {
  /** What the messages call it. */
  label: string;
  newCmdlet: ExchangeCmdlet;
  getCmdlet: ExchangeCmdlet;
  setCmdlet: ExchangeCmdlet;
  /** How many a tenant may hold, when the service documents a limit. */
  limit: number | undefined;
  /** The public operations' prefix, which names the audit lines, e.g. `policies.exchange`. */
  operations: string;
}

/** What an audit line says of a policy. */
export function auditedPolicy(p: DataEncryptionPolicy): Record<string, unknown> {
  return { name: p.name, id: p.id, enabled: p.enabled, keyUris: p.keyUris, state: p.state ?? null, permanentDataPurgeRequested: p.permanentDataPurgeRequested };
}

export const MAILBOX_POLICIES: PolicyKind = { label: "data encryption policy", newCmdlet: "New-DataEncryptionPolicy", getCmdlet: "Get-DataEncryptionPolicy", setCmdlet: "Set-DataEncryptionPolicy", limit: EXCHANGE_POLICY_LIMIT, operations: "policies.exchange" };
export const MULTI_WORKLOAD_POLICIES: PolicyKind = {
  label: "multi-workload data encryption policy",
  newCmdlet: "New-M365DataAtRestEncryptionPolicy",
  getCmdlet: "Get-M365DataAtRestEncryptionPolicy",
  setCmdlet: "Set-M365DataAtRestEncryptionPolicy",
  limit: undefined,
  operations: "policies.multiWorkload",
};

const isNotFound = (error: unknown) => (error as { code?: string } | undefined)?.code === "ERR_EXCHANGE_OBJECT_NOT_FOUND";

export class PolicyCommands {
  constructor(
    private readonly context: ClientContext,
    private readonly transport: ExchangeTransport,
    readonly kind: PolicyKind,
  ) {}

  run(command: ExchangeCommand, options: OperationOptions) {
    return this.transport.invoke(command, options);
  }

  /** The policy by name or GUID, or undefined. */
  async find(nameOrGuid: string, options: OperationOptions): Promise<DataEncryptionPolicy | undefined> {
    try {
      const { value } = await this.run({ cmdlet: this.kind.getCmdlet, parameters: { Identity: nameOrGuid } }, options);
      return value[0] ? toPolicy(value[0]) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The policy, or ERR_POLICY_NOT_FOUND. */
  async require(nameOrGuid: string, options: OperationOptions): Promise<DataEncryptionPolicy> {
    const policy = await this.find(nameOrGuid, options);
    if (!policy) throw new PreconditionFailedError("ERR_POLICY_NOT_FOUND", `There is no ${this.kind.label} '${nameOrGuid}'. List them with client.policies.*.list() (${this.kind.getCmdlet}).`);
    return policy;
  }

  async list(options: OperationOptions): Promise<DataEncryptionPolicy[]> {
    const { value } = await this.run({ cmdlet: this.kind.getCmdlet }, options);
    return value.map(toPolicy);
  }

  async create(input: CreatePolicyInput, options: CreatePolicyOptions): Promise<CreatePolicyResult> {
    // Checked before any request.
    validatePolicyName(input?.name, { allowSpaces: options.allowSpacesInName === true }, "name");
    const keys = validatePolicyKeyUris(input.keyUris, "keyUris");
    const existing = await this.find(input.name, options);
    if (existing) {
      if (sameKeyUris(existing.keyUris, input.keyUris)) return { policy: existing, created: false };
      throw new PreconditionFailedError(
        "ERR_POLICY_CONFLICT",
        `A ${this.kind.label} named '${input.name}' already exists with other keys [${existing.keyUris.join(", ")}]. Pick another name, or change its keys on purpose (${this.kind.setCmdlet} -Replace -AzureKeyIDs).`,
      );
    }
    if (this.kind.limit !== undefined) {
      const count = (await this.list(options)).length;
      if (count >= this.kind.limit) {
        throw new PreconditionFailedError("ERR_POLICY_LIMIT_REACHED", `The tenant already has ${count} ${this.kind.label}s, the most Exchange Online allows (${this.kind.limit}); reuse one (assign it to more mailboxes) instead of creating another.`);
      }
    }
    await checkPolicyKeys(this.context, keys, options);
    const parameters = { Name: input.name, AzureKeyIDs: keys.map((k) => k.uri), ...(input.description !== undefined ? { Description: input.description } : {}) };
    let policy: DataEncryptionPolicy | undefined;
    await this.context.audit.change(
      { what: `${this.kind.operations}.create`, target: input.name, before: null },
      async () => {
        try {
          policy = (await this.run({ cmdlet: this.kind.newCmdlet, parameters }, options)).value.map(toPolicy)[0];
        } catch (error) {
          // The answer may have been lost after Exchange made the policy (the transport does not send a
          // New-* twice): look once before failing.
          const made = await this.find(input.name, options).catch(() => undefined);
          if (!made || !sameKeyUris(made.keyUris, input.keyUris)) throw error;
          policy = made;
        }
      },
      async () => auditedPolicy((policy ??= await this.require(input.name, options))),
    );
    return { policy: policy ?? (await this.require(input.name, options)), created: true };
  }

  /** Rewraps the policy's key with the current versions of its keys (`-Refresh`), e.g. after a key roll. */
  async refresh(name: string, options: OperationOptions): Promise<DataEncryptionPolicy> {
    return this.#set(name, "refresh", { Refresh: true }, options);
  }

  async setEnabled(name: string, enabled: boolean, options: OperationOptions): Promise<DataEncryptionPolicy> {
    return this.#set(name, "setEnabled", { Enabled: enabled }, options);
  }

  /** Set-…Policy on an existing policy, and the policy as it is afterwards; one audit line. */
  async #set(name: string, method: string, parameters: Record<string, unknown>, options: OperationOptions): Promise<DataEncryptionPolicy> {
    const before = await this.require(name, options);
    let after: DataEncryptionPolicy | undefined;
    await this.context.audit.change(
      { what: `${this.kind.operations}.${method}`, target: before.name, before: auditedPolicy(before) },
      () => this.run({ cmdlet: this.kind.setCmdlet, parameters: { Identity: name, ...parameters } }, options),
      async () => {
        after = await this.require(name, options);
        // Enabling an enabled policy sends the cmdlet but changes nothing: no line.
        return method === "setEnabled" && after.enabled === before.enabled ? UNCHANGED : auditedPolicy(after);
      },
    );
    return after ?? this.require(name, options);
  }
}
