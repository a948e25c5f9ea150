/**
 * Mailboxes counted per mailbox DEP: one paged `Get-Mailbox` read (every page, `ResultSize
 * Unlimited`, the same read the preflight's `policy.exchange.assignment` and the bulk assignment
 * make), grouped by each row's `DataEncryptionPolicy` (JSON null when none is assigned; the DEP's
 * name otherwise, research m365-wire-shapes §1.7 — a GUID there is resolved too, in case).
 * Every DEP of the tenant is listed, with 0 when no mailbox has it.
 */
import type { OperationOptions } from "../../internal/operation.js";
import type { ExchangeTransport } from "../../transports/exchange-transport.js";
import type { DataEncryptionPolicy } from "../types.js";

/** Mailboxes per mailbox data encryption policy. */
export interface MailboxCountsByPolicy {
  /** Mailboxes per DEP name: every DEP of the tenant (0 when unused), and any other name a mailbox reported. */
  byPolicy: Record<string, number>;
  /** Mailboxes without a DEP (they stay under Microsoft-managed keys unless the multi-workload policy covers them). */
  withoutPolicy: number;
  /** Mailboxes read (`Get-Mailbox`; mail users are not counted). */
  total: number;
}

/** Progress of the count: reported after each page the transport reads (transports that page report each). */
export interface MailboxCountProgress {
  /** Mailboxes read so far. */
  mailboxesRead: number;
}

/** Options of `countMailboxesByPolicy`. */
export interface CountMailboxesOptions extends OperationOptions {
  /** Called after each page of Get-Mailbox (the REST transport pages; a transport that does not, once at the end). */
  onProgress?: (progress: MailboxCountProgress) => void;
}

/** Counts the rows of a Get-Mailbox read by their DEP. */
export function countByPolicy(rows: readonly Record<string, unknown>[], policies: readonly DataEncryptionPolicy[]): MailboxCountsByPolicy {
  const byPolicy: Record<string, number> = {};
  const nameOf = new Map<string, string>();
  for (const p of policies) {
    byPolicy[p.name] = 0;
    nameOf.set(p.name.toLowerCase(), p.name);
    if (p.id) nameOf.set(p.id.toLowerCase(), p.name);
  }
  let withoutPolicy = 0;
  for (const row of rows) {
    const value = row["DataEncryptionPolicy"];
    if (typeof value !== "string" || value.trim() === "") {
      withoutPolicy++;
      continue;
    }
    const name = nameOf.get(value.toLowerCase()) ?? value;
    byPolicy[name] = (byPolicy[name] ?? 0) + 1;
  }
  return { byPolicy, withoutPolicy, total: rows.length };
}

/** Reads every mailbox through the transport and counts them by DEP. */
export async function countMailboxesByPolicy(
  transport: ExchangeTransport,
  listPolicies: (options: OperationOptions) => Promise<DataEncryptionPolicy[]>,
  options: CountMailboxesOptions,
): Promise<MailboxCountsByPolicy> {
  const { onProgress, ...rest } = options;
  const policies = await listPolicies(rest);
  let reported = -1;
  const report = (mailboxesRead: number) => {
    if (mailboxesRead === reported) return;
    reported = mailboxesRead;
    onProgress?.({ mailboxesRead });
  };
  const { value } = await transport.invoke({ cmdlet: "Get-Mailbox" }, { ...rest, ...(onProgress ? { onPage: report } : {}) });
  report(value.length);
  return countByPolicy(value, policies);
}
