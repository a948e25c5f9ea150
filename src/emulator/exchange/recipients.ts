import { createHash } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { exchangeState } from "./model.js";

/**
 * The seeded recipients are not stored one by one: mailbox n is `user{n:000000}` and its ids derive
 * from the tenant id and n, so 100,000 mailboxes cost nothing in the state file until one changes.
 */

/** A seeded mailbox as the cmdlets see it. */
export interface MailboxView {
  number: number;
  name: string;
  displayName: string;
  userPrincipalName: string;
  /** The recipient object's GUID. */
  guid: string;
  /** The mailbox GUID (`MailboxGuid` of the statistics). */
  exchangeGuid: string;
  /** The Entra user's object id; the JSON `Identity` of the row. */
  externalDirectoryObjectId: string;
}

/** A seeded mail user. */
export type MailUserView = Omit<MailboxView, "exchangeGuid">;

/** Up to four GUIDs (version 4 form) from one SHA-512 of the seed: one hash per recipient keeps indexing 100,000 cheap. */
function derivedGuids(seed: string): string[] {
  const h = createHash("sha512").update(seed).digest("hex");
  return [0, 32, 64, 96].map((o) => {
    const x = h.slice(o, o + 32);
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${((parseInt(x[16]!, 16) & 3) | 8).toString(16)}${x.slice(17, 20)}-${x.slice(20, 32)}`;
  });
}

const pad = (n: number) => String(n).padStart(6, "0");

export function mailboxView(core: EmulatorCore, n: number): MailboxView {
  const name = `user${pad(n)}`;
  const [guid, exchangeGuid, externalDirectoryObjectId] = derivedGuids(`${core.tenantId}:mailbox:${n}`);
  return {
    number: n,
    name,
    displayName: `User ${pad(n)}`,
    userPrincipalName: `${name}@${core.directory.defaultDomain}`,
    guid: guid!,
    exchangeGuid: exchangeGuid!,
    externalDirectoryObjectId: externalDirectoryObjectId!,
  };
}

export function mailUserView(core: EmulatorCore, n: number): MailUserView {
  const name = `mailuser${pad(n)}`;
  const [guid, externalDirectoryObjectId] = derivedGuids(`${core.tenantId}:mailuser:${n}`);
  return {
    number: n,
    name,
    displayName: `Mail User ${pad(n)}`,
    userPrincipalName: `${name}@${core.directory.defaultDomain}`,
    guid: guid!,
    externalDirectoryObjectId: externalDirectoryObjectId!,
  };
}

/** GUID → number indexes, built on the first lookup by GUID and extended when recipients are added. */
const indexes = new WeakMap<EmulatorCore, { kind: string; count: number; map: Map<string, number> }[]>();

function guidIndex(core: EmulatorCore, kind: "mailbox" | "mailuser", count: number, view: (n: number) => { guid: string; externalDirectoryObjectId: string } & Partial<MailboxView>): Map<string, number> {
  const list = indexes.get(core) ?? [];
  indexes.set(core, list);
  let entry = list.find((e) => e.kind === kind);
  if (!entry || entry.count !== count) {
    const map = entry && entry.count < count ? entry.map : new Map<string, number>();
    for (let n = (entry && entry.count < count ? entry.count : 0) + 1; n <= count; n++) {
      const v = view(n);
      map.set(v.guid, n);
      map.set(v.externalDirectoryObjectId, n);
      if (v.exchangeGuid) map.set(v.exchangeGuid, n);
    }
    entry = { kind, count, map };
    const rest = list.filter((e) => e.kind !== kind);
    rest.push(entry);
    indexes.set(core, rest);
  }
  return entry.map;
}

/** The number of the recipient an identity names: name/alias, UPN/SMTP address, or one of its GUIDs. */
function find(core: EmulatorCore, identity: string, prefix: string, count: number, kind: "mailbox" | "mailuser"): number | undefined {
  const id = identity.trim().toLowerCase().replace(/^smtp:/, "");
  const local = id.endsWith(`@${core.directory.defaultDomain.toLowerCase()}`) ? id.slice(0, id.indexOf("@")) : id;
  const named = new RegExp(`^${prefix}(\\d{6})$`).exec(local);
  if (named) {
    const n = Number(named[1]);
    return n >= 1 && n <= count ? n : undefined;
  }
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const view = kind === "mailbox" ? (n: number) => mailboxView(core, n) : (n: number) => mailUserView(core, n);
  return guidIndex(core, kind, count, view).get(id);
}

export function findMailbox(core: EmulatorCore, identity: string): number | undefined {
  return find(core, identity, "user", exchangeState(core).mailboxCount, "mailbox");
}

export function findMailUser(core: EmulatorCore, identity: string): number | undefined {
  return find(core, identity, "mailuser", exchangeState(core).mailUserCount, "mailuser");
}
