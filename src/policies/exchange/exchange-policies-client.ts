/** client.policies.exchange: mailbox data encryption policies of Exchange Online. */
import { ConfirmationRequiredError, InvalidInputError, PreconditionFailedError } from "../../errors.js";
import type { ClientContext } from "../../internal/context.js";
import { runOperation, type OperationOptions } from "../../internal/operation.js";
import type { PagedAsyncIterableIterator, PageSettings } from "@azure/keyvault-keys";
import { singlePage } from "../../internal/paged-iterator.js";
import type { ExchangeTransport } from "../../transports/exchange-transport.js";
import { MAILBOX_POLICIES, PolicyCommands, auditedPolicy } from "../policy-commands.js";
import { UNCHANGED } from "../../internal/audit.js";
import { changedNothing } from "../policy-rows.js";
import type { CreatePolicyInput, CreatePolicyOptions, CreatePolicyResult, DataEncryptionPolicy, MailboxAssignmentResult, MailboxEncryption, PermanentDataPurgeRequest } from "../types.js";
import { beginBulkAssign } from "./bulk-assign.js";
import { countMailboxesByPolicy, type CountMailboxesOptions, type MailboxCountsByPolicy } from "./mailbox-counts.js";
import type { BulkAssignMailboxes, BulkAssignOptions, BulkAssignPoller } from "./bulk-assign-types.js";

/** Checks that the Exchange Online principal has lost access to both vaults of a policy; returns the access that remains (empty when none). */
export type ExchangeAccessReader = (keyUris: readonly string[], options: OperationOptions) => Promise<string[]>;

/** Mailbox data encryption policies (DEPs) of Exchange Online. */
export interface ExchangePoliciesOperations {
  /**
   * Creates a DEP (`New-DataEncryptionPolicy`). Checked before any request: the name, exactly two key
   * URIs in two vaults; then read: at most 50 DEPs, the two vaults in two subscriptions, each key
   * live, enabled and meeting the key rules. Idempotent: a DEP of that name with the same keys is
   * returned with `created: false`; with other keys it is an `ERR_POLICY_CONFLICT`.
   */
  create(input: CreatePolicyInput, options?: CreatePolicyOptions): Promise<CreatePolicyResult>;
  /** The DEP by name or GUID, or undefined when there is none. */
  get(nameOrGuid: string, options?: OperationOptions): Promise<DataEncryptionPolicy | undefined>;
  /** Every mailbox DEP of the tenant, oldest first. */
  list(options?: OperationOptions): PagedAsyncIterableIterator<DataEncryptionPolicy, DataEncryptionPolicy[], PageSettings>;
  /** Rewraps the DEP with the current versions of its keys (`Set-DataEncryptionPolicy -Refresh`), e.g. after a key roll. */
  refresh(name: string, options?: OperationOptions): Promise<DataEncryptionPolicy>;
  /** Enables or disables the DEP (`-Enabled`); a disabled DEP cannot be assigned. */
  setEnabled(name: string, enabled: boolean, options?: OperationOptions): Promise<DataEncryptionPolicy>;
  /**
   * Assigns the DEP to one mailbox or mail user: `Set-Mailbox -DataEncryptionPolicy`, and for a
   * recipient Set-Mailbox does not find, `Set-MailUser`. Trying Set-Mailbox first costs one request
   * for a mailbox (the bulk of any tenant) and two for a mail user; looking the recipient up first
   * would cost two for every recipient, under the same throttle. Result `changed: false` when the
   * recipient already had the policy.
   */
  assign(mailbox: string, policy: string, options?: OperationOptions): Promise<MailboxAssignmentResult>;
  /**
   * Assigns the DEP to many recipients: paced to the service's throttle, resumable with a checkpoint
   * file, failures listed. Resume after a crash or an abort by calling it again with the same
   * checkpoint (the poller's own `serialize()` holds only counts).
   */
  beginAssign(mailboxes: BulkAssignMailboxes, policy: string, options?: BulkAssignOptions): BulkAssignPoller;
  /**
   * Mailboxes per DEP, and those without one: `Get-DataEncryptionPolicy`, then one `Get-Mailbox`
   * read of every mailbox (all pages, `ResultSize Unlimited`), grouped by each mailbox's
   * `DataEncryptionPolicy`. Every DEP appears, with 0 when unused. Mail users are not counted.
   * `onProgress` after each page; the abort signal stops it between pages.
   */
  countMailboxesByPolicy(options?: CountMailboxesOptions): Promise<MailboxCountsByPolicy>;
  /** Whether a mailbox is encrypted and with which DEP (`Get-MailboxStatistics`, the GUID resolved to the name). */
  getMailboxEncryption(mailbox: string, options?: OperationOptions): Promise<MailboxEncryption>;
  /**
   * Requests the permanent purge of every mailbox under the DEP (the exit path):
   * `Set-DataEncryptionPolicy -PermanentDataPurgeRequested`. Only with `confirm` equal to the policy
   * name, and only after a read shows the Exchange Online principal has lost access to both vaults.
   * The rest of the purge is a signed request to Microsoft.
   */
  requestPermanentDataPurge(name: string, request: PermanentDataPurgeRequest): Promise<DataEncryptionPolicy>;
}

const checkIdentity = (value: unknown, field: string) => {
  if (typeof value !== "string" || value.trim() === "") throw new InvalidInputError("ERR_MAILBOXES_INVALID", `${field} must be a non-empty identity.`, { field });
  // No recipient identity holds a line break or another control character; one that does is someone's script, not a mailbox.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidInputError("ERR_MAILBOXES_INVALID", `${field} must be a recipient identity (UPN, alias, GUID or SMTP address) without line breaks or control characters.`, { field });
};

export class ExchangePoliciesClient implements ExchangePoliciesOperations {
  readonly #context: ClientContext;
  readonly #transport: ExchangeTransport;
  readonly #bulkTransport: ExchangeTransport;
  readonly #commands: PolicyCommands;
  readonly #accessReader: ExchangeAccessReader;

  constructor(context: ClientContext, transport: ExchangeTransport, bulkTransport: ExchangeTransport, accessReader: ExchangeAccessReader) {
    this.#context = context;
    this.#transport = transport;
    this.#bulkTransport = bulkTransport;
    this.#commands = new PolicyCommands(context, transport, MAILBOX_POLICIES);
    this.#accessReader = accessReader;
  }

  create(input: CreatePolicyInput, options: CreatePolicyOptions = {}): Promise<CreatePolicyResult> {
    return runOperation(this.#context, "policies.exchange.create", options, (o) => this.#commands.create(input, o));
  }

  get(nameOrGuid: string, options: OperationOptions = {}): Promise<DataEncryptionPolicy | undefined> {
    return runOperation(this.#context, "policies.exchange.get", options, (o) => {
      checkIdentity(nameOrGuid, "nameOrGuid");
      return this.#commands.find(nameOrGuid, o);
    });
  }

  list(options: OperationOptions = {}): PagedAsyncIterableIterator<DataEncryptionPolicy, DataEncryptionPolicy[], PageSettings> {
    // The cmdlet returns at most 50 rows: one page.
    return singlePage(() => runOperation(this.#context, "policies.exchange.list", options, (o) => this.#commands.list(o)));
  }

  refresh(name: string, options: OperationOptions = {}): Promise<DataEncryptionPolicy> {
    return runOperation(this.#context, "policies.exchange.refresh", options, (o) => this.#commands.refresh(name, o));
  }

  setEnabled(name: string, enabled: boolean, options: OperationOptions = {}): Promise<DataEncryptionPolicy> {
    return runOperation(this.#context, "policies.exchange.setEnabled", options, (o) => {
      if (typeof enabled !== "boolean") throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "enabled must be true or false.", { field: "enabled" });
      return this.#commands.setEnabled(name, enabled, o);
    });
  }

  assign(mailbox: string, policy: string, options: OperationOptions = {}): Promise<MailboxAssignmentResult> {
    return runOperation(this.#context, "policies.exchange.assign", options, async (o) => {
      checkIdentity(mailbox, "mailbox");
      checkIdentity(policy, "policy");
      await this.#commands.require(policy, o);
      return this.#assignOne(this.#transport, mailbox, policy, o);
    });
  }

  /**
   * Set-Mailbox; a recipient it does not find is tried as a mail user. `previous`: the policy the
   * recipient had per a read already made (null: none), undefined when none was made.
   */
  async #assignOne(transport: ExchangeTransport, mailbox: string, policy: string, o: OperationOptions, previous?: string | null): Promise<MailboxAssignmentResult> {
    // One audit line per mailbox that changed (bulk assignment included). No read is made for it (a
    // bulk run would double its requests): `before` is the policy a bulk run's read of current state
    // found, else null (unknown). The service's "nothing modified" warning tells an assignment
    // already in place (no line).
    return this.#context.audit.change(
      { what: "policies.exchange.assign", target: mailbox, before: previous === undefined ? null : { dataEncryptionPolicy: previous } },
      () => this.#setPolicy(transport, mailbox, policy, o),
      (r) => (r.changed ? { dataEncryptionPolicy: policy, recipientType: r.recipientType } : UNCHANGED),
    );
  }

  async #setPolicy(transport: ExchangeTransport, mailbox: string, policy: string, o: OperationOptions): Promise<MailboxAssignmentResult> {
    try {
      const { warnings } = await transport.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: mailbox, DataEncryptionPolicy: policy } }, o);
      return { mailbox, recipientType: "mailbox", changed: !changedNothing(warnings) };
    } catch (error) {
      if ((error as { code?: string }).code !== "ERR_EXCHANGE_OBJECT_NOT_FOUND") throw error;
    }
    const { warnings } = await transport.invoke({ cmdlet: "Set-MailUser", parameters: { Identity: mailbox, DataEncryptionPolicy: policy } }, o);
    return { mailbox, recipientType: "mailUser", changed: !changedNothing(warnings) };
  }

  beginAssign(mailboxes: BulkAssignMailboxes, policy: string, options: BulkAssignOptions = {}): BulkAssignPoller {
    return beginBulkAssign(
      {
        context: this.#context,
        // The paged reads of current state are not paced by the limiter: they use the transport that retries 429 itself.
        readTransport: this.#transport,
        requirePolicy: async (name, o) => {
          const found = await this.#commands.require(name, o);
          if (!found.enabled) throw new PreconditionFailedError("ERR_POLICY_NOT_FOUND", `The data encryption policy '${found.name}' is disabled; enable it with client.policies.exchange.setEnabled('${found.name}', true) (Set-DataEncryptionPolicy -Enabled $true) first.`);
          return found;
        },
        assignOne: (mailbox, name, o, previous) => this.#assignOne(this.#bulkTransport, mailbox, name, o, previous),
      },
      mailboxes,
      policy,
      options,
    );
  }

  countMailboxesByPolicy(options: CountMailboxesOptions = {}): Promise<MailboxCountsByPolicy> {
    return runOperation(this.#context, "policies.exchange.countMailboxesByPolicy", options, (o) => {
      if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "onProgress must be a function.", { field: "onProgress" });
      return countMailboxesByPolicy(this.#transport, (lo) => this.#commands.list(lo), o);
    });
  }

  getMailboxEncryption(mailbox: string, options: OperationOptions = {}): Promise<MailboxEncryption> {
    return runOperation(this.#context, "policies.exchange.getMailboxEncryption", options, async (o) => {
      checkIdentity(mailbox, "mailbox");
      const stats = (await this.#transport.invoke({ cmdlet: "Get-MailboxStatistics", parameters: { Identity: mailbox } }, o)).value[0] ?? {};
      const box = (await this.#transport.invoke({ cmdlet: "Get-Mailbox", parameters: { Identity: mailbox } }, o)).value[0] ?? {};
      const policyId = typeof stats["DataEncryptionPolicyID"] === "string" ? (stats["DataEncryptionPolicyID"] as string).toLowerCase() : undefined;
      const policyName = policyId ? ((await this.#commands.find(policyId, o))?.name ?? undefined) : undefined;
      const assigned = typeof box["DataEncryptionPolicy"] === "string" ? (box["DataEncryptionPolicy"] as string) : undefined;
      return { mailbox, isEncrypted: stats["IsEncrypted"] === true, policyId, policyName, assignedPolicyName: assigned };
    });
  }

  requestPermanentDataPurge(name: string, request: PermanentDataPurgeRequest): Promise<DataEncryptionPolicy> {
    return runOperation(this.#context, "policies.exchange.requestPermanentDataPurge", request ?? ({} as PermanentDataPurgeRequest), async (o) => {
      checkIdentity(name, "name");
      if (typeof request?.reason !== "string" || request.reason.trim() === "") throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "reason is required (-PermanentDataPurgeReason).", { field: "reason" });
      if (typeof request.contact !== "string" || request.contact.trim() === "") throw new InvalidInputError("ERR_EXCHANGE_PARAMETER_INVALID", "contact is required (-PermanentDataPurgeContact).", { field: "contact" });
      if (request.confirm !== name) {
        throw new ConfirmationRequiredError(`A permanent data purge destroys every mailbox under '${name}' for good: pass confirm: '${name}' to request it.`);
      }
      const policy = await this.#commands.require(name, o);
      const remaining = await this.#accessReader(policy.keyUris, o);
      if (remaining.length > 0) {
        throw new PreconditionFailedError(
          "ERR_PURGE_ACCESS_REMAINS",
          `Office 365 Exchange Online can still use the keys of '${name}': ${remaining.join("; ")}. Remove it on both vaults first (client.vaultPairs.revokeAccess(vault, "00000002-0000-0ff1-ce00-000000000000", { confirm, allowMicrosoft365Revocation: true }); Remove-AzKeyVaultAccessPolicy -ServicePrincipalName 00000002-0000-0ff1-ce00-000000000000), then request the purge again. ` +
            "The rest of the purge is a signed request to Microsoft (the data purge document), which this call cannot send.",
        );
      }
      let after: DataEncryptionPolicy | undefined;
      await this.#context.audit.change(
        { what: "policies.exchange.requestPermanentDataPurge", target: policy.name, before: auditedPolicy(policy) },
        () => this.#transport.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: name, PermanentDataPurgeRequested: true, PermanentDataPurgeReason: request.reason, PermanentDataPurgeContact: request.contact } }, o),
        async () => auditedPolicy((after = await this.#commands.require(name, o))),
      );
      return after ?? this.#commands.require(name, o);
    });
  }
}
