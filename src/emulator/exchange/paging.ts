import { randomBytes } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { exoErrors } from "./errors.js";

/**
 * Paging cursors of InvokeCommand. The real skiptoken is opaque, bound to a back-end server and
 * expires after 30 minutes ("Default Expiry time is 00:30:00"); here it names a cursor kept in
 * memory (a restart invalidates it, as a different back end would), with its expiry on the
 * emulator clock so a test can let it lapse.
 */

export const CURSOR_LIFETIME_MS = 30 * 60 * 1000;
/** The module's default and the gateway's largest page. */
export const MAX_PAGE_SIZE = 1000;

export interface Cursor {
  cmdlet: string;
  /** Rows already sent. */
  offset: number;
  expiresMs: number;
}

const cursors = new WeakMap<EmulatorCore, Map<string, Cursor>>();

function of(core: EmulatorCore): Map<string, Cursor> {
  let map = cursors.get(core);
  if (!map) cursors.set(core, (map = new Map()));
  return map;
}

export function saveCursor(core: EmulatorCore, cursor: Omit<Cursor, "expiresMs">): string {
  const map = of(core);
  const now = core.clock.nowMs();
  for (const [token, c] of map) if (c.expiresMs <= now) map.delete(token);
  const token = randomBytes(18).toString("base64url");
  map.set(token, { ...cursor, expiresMs: now + CURSOR_LIFETIME_MS });
  return token;
}

/** The cursor a continuation names; an unknown, expired or other-cmdlet one is the gateway's 400. */
export function takeCursor(core: EmulatorCore, token: string, cmdlet: string): Cursor {
  const map = of(core);
  const cursor = map.get(token);
  map.delete(token);
  if (!cursor || cursor.expiresMs <= core.clock.nowMs() || cursor.cmdlet !== cmdlet) throw exoErrors.expiredCursor();
  return cursor;
}

/** Forgets every cursor: the next continuation fails as an expired one does. */
export function expireCursors(core: EmulatorCore): void {
  of(core).clear();
}

/** `Prefer: odata.maxpagesize=N` (other preferences such as `odata.continue-on-error` may follow). */
export function pageSizeOf(prefer: string | undefined): number {
  const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer ?? "");
  if (!match) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Number(match[1])));
}
