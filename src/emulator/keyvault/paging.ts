import type { KvContext } from "./request-context.js";
import { kvErrors } from "./errors.js";

/** The service's default and largest page. */
const MAX_RESULTS = 25;

function maxResultsOf(kv: KvContext): number {
  const text = kv.req.query("maxresults");
  if (text === null || text === "") return MAX_RESULTS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS) {
    throw kvErrors.badParameter(`The value '${text}' of the 'maxresults' query parameter is invalid. It must be an integer between 1 and ${MAX_RESULTS}.`);
  }
  return n;
}

/** `$skiptoken` is opaque to clients; the emulator's holds `{"NextMarker": offset}` like the real one holds a marker. */
function offsetOf(kv: KvContext): number {
  const token = kv.req.query("$skiptoken");
  if (token === null || token === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { NextMarker?: unknown };
    if (typeof parsed.NextMarker === "number" && Number.isInteger(parsed.NextMarker) && parsed.NextMarker >= 0) return parsed.NextMarker;
  } catch {
    // falls through to the error
  }
  throw kvErrors.badParameter("The '$skiptoken' query parameter is invalid.");
}

/**
 * One page of a list: `{value, nextLink}` with an absolute nextLink carrying api-version,
 * `$skiptoken` and `maxresults` (as in the spec's examples), and `nextLink: null` on the last page.
 */
export function page<T>(kv: KvContext, items: readonly T[]): { value: T[]; nextLink: string | null } {
  const max = maxResultsOf(kv);
  const start = offsetOf(kv);
  const value = items.slice(start, start + max);
  if (start + max >= items.length) return { value, nextLink: null };
  const token = Buffer.from(JSON.stringify({ NextMarker: start + max, TargetLocation: 0 })).toString("base64url");
  const maxPart = kv.req.query("maxresults") ? `&maxresults=${max}` : "";
  return { value, nextLink: `${kv.origin}${kv.req.path}?api-version=${encodeURIComponent(kv.apiVersion)}&$skiptoken=${token}${maxPart}` };
}
