/** InvokeCommand rows → the SDK's types (member names per research m365-wire-shapes §1). */
import type { DataEncryptionPolicy } from "./types.js";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A DEP row of Get-DataEncryptionPolicy or Get-M365DataAtRestEncryptionPolicy. */
export function toPolicy(row: Record<string, unknown>): DataEncryptionPolicy {
  const changed = str(row["WhenChangedUTC"]) ?? str(row["WhenChanged"]);
  const date = changed ? new Date(changed) : undefined;
  return {
    name: str(row["Name"]) ?? str(row["Identity"]) ?? "",
    id: (str(row["Guid"]) ?? str(row["ExchangeObjectId"]) ?? "").toLowerCase(),
    description: str(row["Description"]) ?? "",
    enabled: row["Enabled"] !== false,
    keyUris: Array.isArray(row["AzureKeyIDs"]) ? (row["AzureKeyIDs"] as unknown[]).filter((v): v is string => typeof v === "string") : [],
    state: str(row["State"]),
    permanentDataPurgeRequested: row["PermanentDataPurgeRequested"] === true,
    whenChanged: date && !Number.isNaN(date.getTime()) ? date : undefined,
  };
}

/** Key URIs compared as the service treats them: case-insensitive, no trailing slash. */
export function sameKeyUris(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => list.map((u) => u.trim().replace(/\/+$/, "").toLowerCase());
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((u, i) => u === y[i]);
}

/** True when the cmdlet said it changed nothing ("… no settings … have been modified"). */
export function changedNothing(warnings: readonly string[]): boolean {
  return warnings.some((w) => /no settings .*(have been|were) modified|hasn't been modified/i.test(w));
}
