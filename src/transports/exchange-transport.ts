/**
 * The Exchange Online admin transport contract: one method that runs one cmdlet. Public on
 * purpose: users bring their own (an audited PowerShell gateway, a recorder, a proxy).
 */
import type { OperationOptions } from "../internal/operation.js";

/**
 * The cmdlets Customer Key needs, and the only ones a transport of this package sends: anything
 * else is refused before sending, with a typed `InvalidInputError`.
 */
export const EXCHANGE_CMDLETS = [
  "New-DataEncryptionPolicy",
  "Get-DataEncryptionPolicy",
  "Set-DataEncryptionPolicy",
  "Set-Mailbox",
  "Set-MailUser",
  "Get-Mailbox",
  "Get-MailUser",
  "Get-MailboxStatistics",
  "New-M365DataAtRestEncryptionPolicy",
  "Get-M365DataAtRestEncryptionPolicy",
  "Set-M365DataAtRestEncryptionPolicy",
  "Test-M365DataAtRestEncryptionPolicy",
  "Set-M365DataAtRestEncryptionPolicyAssignment",
  "Get-M365DataAtRestEncryptionPolicyAssignment",
  "Get-OrganizationConfig",
] as const;

/** A cmdlet a Customer Key transport may run. */
export type ExchangeCmdlet = (typeof EXCHANGE_CMDLETS)[number];

/**
 * A parameter value as the cmdlet receives it: strings, numbers, booleans (switches are `true`),
 * `null` (e.g. `-DataEncryptionPolicy $null` to unassign) and arrays of strings (`AzureKeyIDs`).
 */
export type ExchangeParameterValue = string | number | boolean | null | readonly string[];

/** One cmdlet invocation: its name and its named parameters (no positional parameters). */
export interface ExchangeCommand {
  /** The cmdlet, e.g. `New-DataEncryptionPolicy`. */
  cmdlet: ExchangeCmdlet;
  /** Named parameters, e.g. `{ Name: "USA_mailboxes", AzureKeyIDs: [a, b] }`; default none. `Confirm` is always sent as `false`. */
  parameters?: Readonly<Record<string, ExchangeParameterValue>>;
}

/** What a cmdlet returned: its output objects (all pages) and the warnings it wrote. */
export interface ExchangeCommandResult {
  /** The output objects as plain JSON, in the order the service sent them; `[]` for cmdlets that return nothing. */
  value: Record<string, unknown>[];
  /** The cmdlet's warnings (`@adminapi.warnings`), in order; `[]` when none. */
  warnings: string[];
}

/** Options of one invocation. */
export interface ExchangeInvokeOptions extends OperationOptions {
  /** At most this many output objects (the cmdlet's `ResultSize`); default all. */
  resultSize?: number;
  /** Called with the rows read so far after each page, by transports that page (the REST transport does); optional for others. */
  onPage?: (rowsSoFar: number) => void;
}

/** The outcome of one command of a batch: its result, or the typed error it failed with. */
export type ExchangeBatchItemResult =
  | { ok: true; command: ExchangeCommand; result: ExchangeCommandResult }
  | { ok: false; command: ExchangeCommand; error: Error };

/** Runs Exchange Online cmdlets. Implementations: `ExchangeRestTransport`, `ExchangePowerShellTransport`, or your own. */
export interface ExchangeTransport {
  /**
   * Runs one cmdlet and returns all of its output. Throws a typed error (`ExchangeCommandError`
   * for a cmdlet the service ran and refused) after the transport's retries of transient faults.
   */
  invoke(command: ExchangeCommand, options?: ExchangeInvokeOptions): Promise<ExchangeCommandResult>;
  /**
   * Optional: runs several cmdlets in as few requests as the transport can (the REST transport
   * sends up to 10 per `$batch`); each command succeeds or fails on its own, results in order.
   */
  invokeBatch?(commands: readonly ExchangeCommand[], options?: OperationOptions): Promise<ExchangeBatchItemResult[]>;
  /** Optional: releases what the transport holds (a child process, sockets). Safe to call twice. */
  close?(): Promise<void>;
}
