/** Public types of client.policies: data encryption policies (DEPs) of Exchange Online and of several workloads. */
import type { OperationOptions } from "../internal/operation.js";

/** A data encryption policy as Exchange Online reports it (mailbox or multi-workload). */
export interface DataEncryptionPolicy {
  /** The policy name, e.g. `USA_mailboxes`. */
  name: string;
  /** The policy's GUID (what `Get-MailboxStatistics` reports as `DataEncryptionPolicyID`); empty when the service did not send one. */
  id: string;
  /** Free text; empty when none. */
  description: string;
  /** False when the policy is disabled (no new assignments; a multi-workload policy stops being used). */
  enabled: boolean;
  /** The two key URIs [primary, secondary] the policy wraps its key with, as the service holds them. */
  keyUris: string[];
  /** The service's lifecycle state (`PendingActivation`, `Active`, `PendingDeletion` …) when it reports one. */
  state: string | undefined;
  /** True once a permanent data purge was requested (mailbox policies). */
  permanentDataPurgeRequested: boolean;
  /** When the policy last changed, when the service reports it. */
  whenChanged: Date | undefined;
}

/** What a new policy is made of. */
export interface CreatePolicyInput {
  /**
   * The policy name: at most 64 characters, none of `\ / , ; " < > # + = * ? |`, and no spaces unless
   * `allowSpacesInName` (see {@link CreatePolicyOptions.allowSpacesInName}).
   */
  name: string;
  /** Free text shown by `Get-DataEncryptionPolicy`; default none. */
  description?: string;
  /**
   * Exactly two key URIs [primary, secondary]: each a versioned or versionless key id
   * (`https://<vault>.vault.azure.net/keys/<name>[/<version>]`) of a live, enabled RSA key in two
   * different vaults, in two different subscriptions.
   */
  keyUris: readonly [string, string] | readonly string[];
}

/** Options of `create`. */
export interface CreatePolicyOptions extends OperationOptions {
  /**
   * Accept spaces in the name; default false. The seed procedure and Microsoft's manage page say
   * names cannot contain spaces, while Microsoft's later examples use names with spaces: spaces are
   * refused by default so a script works on both, and this option lets you use them knowingly.
   */
  allowSpacesInName?: boolean;
}

/** What `create` did. */
export interface CreatePolicyResult {
  /** The policy as read after creating it (or as found). */
  policy: DataEncryptionPolicy;
  /** False when a policy of that name with the same two keys already existed: nothing was sent. */
  created: boolean;
}

/** What `assign` did to one recipient. */
export interface MailboxAssignmentResult {
  /** The recipient as given. */
  mailbox: string;
  /** `mailbox` (Set-Mailbox) or `mailUser` (Set-MailUser). */
  recipientType: "mailbox" | "mailUser";
  /** False when the recipient already had the policy (the service changed nothing). */
  changed: boolean;
}

/** Where a mailbox's encryption stands. */
export interface MailboxEncryption {
  /** The mailbox as given. */
  mailbox: string;
  /** True once the mailbox is encrypted with a DEP (after the move, up to 72 hours after assignment). */
  isEncrypted: boolean;
  /** The GUID of the DEP the mailbox is encrypted with; undefined when not encrypted. */
  policyId: string | undefined;
  /** The name of that DEP (the GUID resolved through Get-DataEncryptionPolicy); undefined when not encrypted. */
  policyName: string | undefined;
  /** The DEP assigned to the mailbox (`Get-Mailbox`'s `DataEncryptionPolicy`); may differ from `policyName` while a move runs. */
  assignedPolicyName: string | undefined;
}

/** The request for a permanent data purge of a mailbox DEP (the exit path). */
export interface PermanentDataPurgeRequest extends OperationOptions {
  /** Why the data is purged (`-PermanentDataPurgeReason`). */
  reason: string;
  /** Who Microsoft contacts (`-PermanentDataPurgeContact`), e.g. an e-mail address. */
  contact: string;
  /** Must equal the policy name: the purge cannot be undone. */
  confirm: string;
}

/** Options of `multiWorkload.assign`. */
export interface AssignMultiWorkloadOptions extends OperationOptions {
  /** The name of the policy assigned now, required when another policy is assigned: the tenant has one assignment. */
  replaceConfirm?: string;
}

/** The tenant's multi-workload assignment. */
export interface MultiWorkloadAssignment {
  /** The assigned policy's name. */
  policyName: string;
  /** The assigned policy's GUID; empty when the service did not send one. */
  policyId: string;
}

/** What `multiWorkload.assign` did. */
export interface AssignMultiWorkloadResult {
  /** The policy assigned now. */
  policyName: string;
  /** The policy it replaced, if another was assigned. */
  replaced: string | undefined;
  /** False when the policy was already assigned: nothing was sent. */
  changed: boolean;
}
