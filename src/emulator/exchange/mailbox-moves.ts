import { createHash } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { openMailbox, sealMailbox, unwrapPolicyKey } from "./key-hierarchy.js";
import { exchangeState, type MailboxRecord } from "./model.js";
import { mailboxView } from "./recipients.js";

/**
 * Mailbox moves: assigning a DEP re-encrypts the mailbox in the background, visible in
 * Get-MailboxStatistics only when the move completes, after up to the move duration (72 h by
 * default) of emulator clock — half that plus a share fixed per (mailbox, DEP), so it is
 * deterministic and never immediate.
 */

export function moveDelayMs(maxMs: number, mailboxGuid: string, policyGuid: string | null): number {
  const h = createHash("sha256").update(`${mailboxGuid}:${policyGuid ?? "microsoft"}`).digest();
  const fraction = h.readUInt32BE(0) / 0x1_0000_0000;
  return Math.max(1, Math.round(maxMs * (0.5 + 0.5 * fraction)));
}

/** The sample content of a mailbox, what `readMailbox` returns once decrypted. */
export const sampleContent = (name: string) => `Mailbox ${name}: Inbox (42 items)`;

/** Completes a due move. */
export function settle(core: EmulatorCore, n: number): MailboxRecord | undefined {
  const record = exchangeState(core).mailboxes[n];
  if (record?.pending && core.clock.nowMs() >= record.pending.dueMs) {
    const { dueMs: _due, ...done } = record.pending;
    record.current = done;
    delete record.pending;
    core.changed();
  }
  return record;
}

/** The DEP GUID the mailbox is encrypted with now (moves settled), or `null`. */
export function encryptedWith(core: EmulatorCore, n: number): string | null {
  return settle(core, n)?.current?.policy ?? null;
}

/** The DEP GUID the mailbox is or will be encrypted with (what Get-Mailbox shows). */
export function assignedPolicy(core: EmulatorCore, n: number): string | null {
  const record = settle(core, n);
  return record?.pending ? record.pending.policy : (record?.current?.policy ?? null);
}

/**
 * Starts a move to `policyGuid` (`null`: Microsoft-managed keys). The mailbox key is made now and
 * wrapped by the DEP key, which the service recovers as a system operation. Returns false when
 * the mailbox already is (or is moving) there.
 */
export async function startMove(core: EmulatorCore, n: number, policyGuid: string | null): Promise<boolean> {
  if (assignedPolicy(core, n) === policyGuid) return false;
  const state = exchangeState(core);
  const view = mailboxView(core, n);
  let sealed: string | undefined;
  if (policyGuid !== null) {
    const policy = state.policies[policyGuid]!;
    const { key } = await unwrapPolicyKey(core, "exchange", policy, { system: true });
    try {
      sealed = await sealMailbox(policy.guid, key, view.exchangeGuid, sampleContent(view.name));
    } finally {
      key.fill(0);
    }
  }
  const record = (state.mailboxes[n] ??= {});
  record.pending = { policy: policyGuid, ...(sealed ? { sealed } : {}), dueMs: core.clock.nowMs() + moveDelayMs(state.moveDurationMs, view.guid, policyGuid) };
  core.changed();
  return true;
}

/** What `emulator.exchange.readMailbox` reports. */
export interface MailboxReadResult {
  /** The mailbox's name, e.g. `user000001`. */
  name: string;
  /** The decrypted sample content. */
  content: string;
  /** GUID of the DEP it is encrypted with, or `null` for Microsoft-managed keys. */
  dataEncryptionPolicyId: string | null;
  /** The versioned customer key that recovered the DEP key, `availability` (system reads only) or `microsoft-managed`. */
  unwrappedWith: string;
}

export async function readMailbox(core: EmulatorCore, n: number, options: { system: boolean }): Promise<MailboxReadResult> {
  const view = mailboxView(core, n);
  const current = settle(core, n)?.current;
  if (!current?.policy || !current.sealed) {
    return { name: view.name, content: sampleContent(view.name), dataEncryptionPolicyId: null, unwrappedWith: "microsoft-managed" };
  }
  const policy = exchangeState(core).policies[current.policy]!;
  const { key, via } = await unwrapPolicyKey(core, "exchange", policy, options);
  try {
    const content = await openMailbox(policy.guid, key, view.exchangeGuid, current.sealed);
    return { name: view.name, content, dataEncryptionPolicyId: policy.guid, unwrappedWith: via };
  } finally {
    key.fill(0);
  }
}
