/**
 * What `status` and the demo show: read through the SDK only (policies with their mailbox counts,
 * the multi-workload assignment, SharePoint's state per geo with its site count, key versions).
 * A count that cannot be read (e.g. Graph's getAllSites refuses a signed-in user) is left out and
 * the reason shown; an abort stops everything.
 */
import { OperationAbortedError, type CustomerKeyClient } from "../index.js";
import { wrapIndented } from "./terminal-text.js";

export interface TenantStatus {
  exchangePolicies: { name: string; enabled: boolean; state: string | undefined; keyUris: string[] }[];
  multiWorkloadPolicies: { name: string; enabled: boolean; keyUris: string[] }[];
  multiWorkloadAssignment: string | null;
  /** One row per geo; `sites` when Graph's getAllSites could be read. */
  sharePoint: { geo: string; state: string; progressPercent: number; primaryKeyUri: string | undefined; secondaryKeyUri: string | undefined; sites?: number }[];
  keys: { workload: string; keyUri: string; versions: number; current: string | undefined }[];
  /** Mailboxes per Exchange DEP (every DEP, 0 when unused), from `client.policies.exchange.countMailboxesByPolicy()`. */
  mailboxCounts?: Record<string, number>;
  /** Mailboxes without a DEP, with `mailboxCounts`. */
  mailboxesWithoutPolicy?: number;
  /** Why the mailboxes could not be counted, when they could not. */
  mailboxCountError?: string;
  /** Why the sites could not be counted, when they could not (`client.policies.sharePoint.countSites()`). */
  siteCountError?: string;
}

/** Options of collectStatus. */
export interface CollectStatusOptions {
  /** Count mailboxes per DEP (one paged Get-Mailbox read); default true. */
  mailboxCounts?: boolean;
  /** Count SharePoint sites per geo (Graph getAllSites, paged); default true. */
  siteCounts?: boolean;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** A count that fails for a reason other than an abort becomes its reason. */
async function attempt<T>(read: () => Promise<T>, signal: AbortSignal | undefined): Promise<{ ok: true; value: T } | { ok: false; reason: string; forbidden: boolean }> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (error instanceof OperationAbortedError || signal?.aborted) throw error;
    return { ok: false, reason: reasonOf(error), forbidden: (error as { code?: unknown }).code === "ERR_SERVICE_FORBIDDEN" };
  }
}

/** Graph's refusal of getAllSites, said shortly: the usual reason, a signed-in user. */
const SITES_FORBIDDEN = "Graph's sites/getAllSites refused the caller (403): it answers only an application with the Sites.Read.All application permission.";
/** Notes wrap at this width, as the demo's other lines do. */
const NOTE_WIDTH = 100;

type KeyTarget = { vault: { subscriptionId: string; resourceGroup?: string; vaultName: string }; keyName: string; workload: string };

export async function collectStatus(client: CustomerKeyClient, keys: KeyTarget[], abortSignal?: AbortSignal, counting: CollectStatusOptions = {}): Promise<TenantStatus> {
  const options = abortSignal ? { abortSignal } : {};
  const exchangePolicies: TenantStatus["exchangePolicies"] = [];
  for await (const p of client.policies.exchange.list(options)) exchangePolicies.push({ name: p.name, enabled: p.enabled, state: p.state, keyUris: p.keyUris });
  const multiWorkloadPolicies: TenantStatus["multiWorkloadPolicies"] = [];
  for await (const p of client.policies.multiWorkload.list(options)) multiWorkloadPolicies.push({ name: p.name, enabled: p.enabled, keyUris: p.keyUris });
  const assignment = await client.policies.multiWorkload.getAssignment(options);
  const sharePoint: TenantStatus["sharePoint"] = (await client.policies.sharePoint.list(options)).map((p) => ({ geo: p.geo, state: p.state, progressPercent: p.progressPercent, primaryKeyUri: p.primaryKeyUri, secondaryKeyUri: p.secondaryKeyUri }));
  const keyRows: TenantStatus["keys"] = [];
  for (const k of keys) {
    const versions = [];
    for await (const v of client.keys.listVersions(k.vault as never, k.keyName, options)) versions.push(v);
    versions.sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0));
    keyRows.push({ workload: k.workload, keyUri: `${k.vault.vaultName}/${k.keyName}`, versions: versions.length, current: versions.at(-1)?.version });
  }
  const status: TenantStatus = { exchangePolicies, multiWorkloadPolicies, multiWorkloadAssignment: assignment?.policyName ?? null, sharePoint, keys: keyRows };
  if (counting.mailboxCounts !== false) {
    const counted = await attempt(() => client.policies.exchange.countMailboxesByPolicy(options), abortSignal);
    if (counted.ok) {
      status.mailboxCounts = counted.value.byPolicy;
      status.mailboxesWithoutPolicy = counted.value.withoutPolicy;
    } else status.mailboxCountError = counted.reason;
  }
  if (counting.siteCounts !== false && sharePoint.length > 0) {
    const counted = await attempt(() => client.policies.sharePoint.countSites(options), abortSignal);
    if (counted.ok) {
      const byGeo = new Map(counted.value.geos.map((g) => [g.geo.toUpperCase(), g.sites]));
      for (const row of sharePoint) row.sites = byGeo.get(row.geo.toUpperCase()) ?? 0;
    } else status.siteCountError = counted.forbidden ? SITES_FORBIDDEN : counted.reason;
  }
  return status;
}

/** "1,240 sites, 100 % registered" beside a geo's state. */
function sharePointCounts(p: TenantStatus["sharePoint"][number]): string {
  const state = p.state.toLowerCase();
  const progress = state === "registered" ? "100 % registered" : state === "registering" ? `${p.progressPercent} % registered` : state === "rolling" ? `${p.progressPercent} % rolled` : state === "unregistered" ? "not registered" : `${p.progressPercent} %`;
  return p.sites === undefined ? progress : `${p.sites.toLocaleString("en-US")} site${p.sites === 1 ? "" : "s"}, ${progress}`;
}

const mailboxesText = (n: number) => `${n.toLocaleString("en-US")} mailbox${n === 1 ? "" : "es"}`;

export function formatStatus(status: TenantStatus): string {
  const lines = ["Exchange Online data encryption policies:"];
  if (!status.exchangePolicies.length) lines.push("  (none)");
  for (const p of status.exchangePolicies) {
    const count = status.mailboxCounts?.[p.name];
    lines.push(`  ${p.name.padEnd(24)} ${p.enabled ? "enabled " : "disabled"} ${(p.state ?? "").padEnd(12)}${count !== undefined ? ` ${mailboxesText(count)}` : ""}`);
  }
  if (status.mailboxesWithoutPolicy !== undefined) lines.push(`  ${"(no policy)".padEnd(24)} ${"".padEnd(8)} ${"".padEnd(12)} ${mailboxesText(status.mailboxesWithoutPolicy)}`);
  if (status.mailboxCountError) lines.push(...wrapIndented(`Mailboxes not counted: ${status.mailboxCountError}`, NOTE_WIDTH, "  "));
  lines.push("Multi-workload policies:");
  if (!status.multiWorkloadPolicies.length) lines.push("  (none)");
  for (const p of status.multiWorkloadPolicies) lines.push(`  ${p.name.padEnd(24)} ${p.enabled ? "enabled " : "disabled"}${status.multiWorkloadAssignment === p.name ? " assigned to the tenant" : ""}`);
  lines.push("SharePoint Online, OneDrive and Teams files:");
  if (!status.sharePoint.length) lines.push("  (no policy)");
  for (const p of status.sharePoint) lines.push(`  geo ${(p.geo || "(default)").padEnd(10)} ${p.state.padEnd(12)} ${sharePointCounts(p)}`);
  if (status.siteCountError) lines.push(...wrapIndented(`Sites not counted: ${status.siteCountError}`, NOTE_WIDTH, "  "));
  lines.push("Root keys (vault/key: versions, current):");
  for (const k of status.keys) lines.push(`  ${k.workload.padEnd(14)} ${k.keyUri.padEnd(36)} ${String(k.versions).padStart(2)} version(s), current ${k.current?.slice(0, 12) ?? "-"}…`);
  return lines.join("\n");
}
