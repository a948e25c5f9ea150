import type { EmulatorCore } from "../kernel/core.js";
import { readMailbox, type MailboxReadResult } from "./mailbox-moves.js";
import { exchangeState, MAX_SEEDED_MAILBOXES } from "./model.js";
import { expireCursors } from "./paging.js";
import { findMailbox, mailboxView, mailUserView } from "./recipients.js";

export type { MailboxReadResult } from "./mailbox-moves.js";

/** Options of the emulated Exchange Online, given to `startEmulator({ exchange })`; they apply to a new state only. */
export interface ExchangeEmulatorOptions {
  /** Seeded mailboxes, 0 to 100,000; default 200. */
  mailboxes?: number;
  /** Seeded mail users, 0 to 100,000; default 20. */
  mailUsers?: number;
  /** The longest a mailbox move to a DEP takes, in emulator-clock milliseconds; default 72 hours. */
  moveDurationMs?: number;
}

/** A seeded recipient. */
export interface SeededRecipient {
  /** Name and alias, e.g. `user000001` or `mailuser000001`. */
  name: string;
  /** UPN and primary SMTP address. */
  userPrincipalName: string;
  /** The Entra user's object id: the JSON `Identity` of its rows. */
  externalDirectoryObjectId: string;
  /** The recipient object's GUID. */
  guid: string;
}

/** Test controls of the emulated Exchange Online (what an admin cannot do through the cmdlets). */
export interface ExchangeEmulator {
  /** How many mailboxes are seeded. */
  readonly mailboxCount: number;
  /** How many mail users are seeded. */
  readonly mailUserCount: number;
  /** The longest a mailbox move takes, emulator-clock milliseconds (72 h by default). */
  readonly moveDurationMs: number;
  /** Adds `count` mailboxes (up to 100,000 in all); returns the new number. */
  addMailboxes(count: number): number;
  /** Adds `count` mail users (up to 100,000 in all); returns the new number. */
  addMailUsers(count: number): number;
  /** Seeded mailboxes from position `offset` (default 0), at most `limit` (default 100). */
  listMailboxes(options?: { offset?: number; limit?: number }): SeededRecipient[];
  /** Seeded mail users from position `offset` (default 0), at most `limit` (default 100). */
  listMailUsers(options?: { offset?: number; limit?: number }): SeededRecipient[];
  /** Sets the longest mailbox move (emulator-clock milliseconds) for moves started from now on. */
  setMoveDuration(ms: number): void;
  /**
   * Reads a mailbox as Exchange would: its DEP key through one customer key chosen at random, then
   * the other; with `system: true` (a system operation) the availability key when neither answers.
   * Rejects when the mailbox cannot be decrypted or does not exist.
   */
  readMailbox(identity: string, options?: { system?: boolean }): Promise<MailboxReadResult>;
  /** Forgets every paging cursor: the next `@odata.nextLink` call fails as an expired one does. */
  expirePagingCursors(): void;
}

function checkCount(what: string, value: number, current = 0): void {
  if (!Number.isInteger(value) || value < 0 || current + value > MAX_SEEDED_MAILBOXES) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_SEEDED_MAILBOXES} in all, got ${value}${current ? ` more than ${current}` : ""}.`);
  }
}

function checkDuration(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`The move duration must be a non-negative number of milliseconds, got ${ms}.`);
}

/** Seeds a new state: the default counts, or the start options. */
export function seedExchange(core: EmulatorCore, options: ExchangeEmulatorOptions = {}): void {
  const state = exchangeState(core);
  if (state.seeded) return;
  const mailboxes = options.mailboxes ?? 200;
  const mailUsers = options.mailUsers ?? 20;
  checkCount("mailboxes", mailboxes);
  checkCount("mailUsers", mailUsers);
  if (options.moveDurationMs !== undefined) checkDuration(options.moveDurationMs);
  state.mailboxCount = mailboxes;
  state.mailUserCount = mailUsers;
  if (options.moveDurationMs !== undefined) state.moveDurationMs = options.moveDurationMs;
  state.createdAt = core.clock.now().toISOString();
  state.seeded = true;
  core.changed();
}

const page = (count: number, options: { offset?: number; limit?: number } = {}) => {
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.max(0, options.limit ?? 100);
  return Array.from({ length: Math.max(0, Math.min(count, offset + limit) - offset) }, (_, i) => offset + i + 1);
};

export function exchangeEmulator(core: EmulatorCore): ExchangeEmulator {
  const state = () => exchangeState(core);
  const recipient = (v: SeededRecipient): SeededRecipient => ({ name: v.name, userPrincipalName: v.userPrincipalName, externalDirectoryObjectId: v.externalDirectoryObjectId, guid: v.guid });
  return {
    get mailboxCount() {
      return state().mailboxCount;
    },
    get mailUserCount() {
      return state().mailUserCount;
    },
    get moveDurationMs() {
      return state().moveDurationMs;
    },
    addMailboxes(count) {
      checkCount("count", count, state().mailboxCount);
      state().mailboxCount += count;
      core.changed();
      return state().mailboxCount;
    },
    addMailUsers(count) {
      checkCount("count", count, state().mailUserCount);
      state().mailUserCount += count;
      core.changed();
      return state().mailUserCount;
    },
    listMailboxes: (options) => page(state().mailboxCount, options).map((n) => recipient(mailboxView(core, n))),
    listMailUsers: (options) => page(state().mailUserCount, options).map((n) => recipient(mailUserView(core, n))),
    setMoveDuration(ms) {
      checkDuration(ms);
      state().moveDurationMs = ms;
      core.changed();
    },
    async readMailbox(identity, options = {}) {
      const n = findMailbox(core, identity);
      if (n === undefined) throw new Error(`No mailbox '${identity}' in the emulated Exchange Online.`);
      try {
        return await readMailbox(core, n, { system: options.system === true });
      } finally {
        core.changed();
      }
    },
    expirePagingCursors: () => expireCursors(core),
  };
}
