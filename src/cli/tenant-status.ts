/** What `status` and the demo show: read through the SDK only (policies, SharePoint, key versions). */
import type { CustomerKeyClient } from "../index.js";

export interface TenantStatus {
  exchangePolicies: { name: string; enabled: boolean; state: string | undefined; keyUris: string[] }[];
  multiWorkloadPolicies: { name: string; enabled: boolean; keyUris: string[] }[];
  multiWorkloadAssignment: string | null;
  sharePoint: { geo: string; state: string; progressPercent: number; primaryKeyUri: string | undefined; secondaryKeyUri: string | undefined }[];
  keys: { workload: string; keyUri: string; versions: number; current: string | undefined }[];
  /** Mailboxes per Exchange DEP, when the caller counted them (the demo does; `status` has no bulk read). */
  mailboxCounts?: Record<string, number>;
}

type KeyTarget = { vault: { subscriptionId: string; resourceGroup?: string; vaultName: string }; keyName: string; workload: string };

export async function collectStatus(client: CustomerKeyClient, keys: KeyTarget[], abortSignal?: AbortSignal): Promise<TenantStatus> {
  const options = abortSignal ? { abortSignal } : {};
  const exchangePolicies: TenantStatus["exchangePolicies"] = [];
  for await (const p of client.policies.exchange.list(options)) exchangePolicies.push({ name: p.name, enabled: p.enabled, state: p.state, keyUris: p.keyUris });
  const multiWorkloadPolicies: TenantStatus["multiWorkloadPolicies"] = [];
  for await (const p of client.policies.multiWorkload.list(options)) multiWorkloadPolicies.push({ name: p.name, enabled: p.enabled, keyUris: p.keyUris });
  const assignment = await client.policies.multiWorkload.getAssignment(options);
  const sharePoint = (await client.policies.sharePoint.list(options)).map((p) => ({ geo: p.geo, state: p.state, progressPercent: p.progressPercent, primaryKeyUri: p.primaryKeyUri, secondaryKeyUri: p.secondaryKeyUri }));
  const keyRows: TenantStatus["keys"] = [];
  for (const k of keys) {
    const versions = [];
    for await (const v of client.keys.listVersions(k.vault as never, k.keyName, options)) versions.push(v);
    versions.sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0));
    keyRows.push({ workload: k.workload, keyUri: `${k.vault.vaultName}/${k.keyName}`, versions: versions.length, current: versions.at(-1)?.version });
  }
  return { exchangePolicies, multiWorkloadPolicies, multiWorkloadAssignment: assignment?.policyName ?? null, sharePoint, keys: keyRows };
}

export function formatStatus(status: TenantStatus): string {
  const lines = ["Exchange Online data encryption policies:"];
  if (!status.exchangePolicies.length) lines.push("  (none)");
  for (const p of status.exchangePolicies) {
    const count = status.mailboxCounts?.[p.name];
    lines.push(`  ${p.name.padEnd(24)} ${p.enabled ? "enabled " : "disabled"} ${(p.state ?? "").padEnd(12)}${count !== undefined ? ` ${count} mailboxes` : ""}`);
  }
  lines.push("Multi-workload policies:");
  if (!status.multiWorkloadPolicies.length) lines.push("  (none)");
  for (const p of status.multiWorkloadPolicies) lines.push(`  ${p.name.padEnd(24)} ${p.enabled ? "enabled " : "disabled"}${status.multiWorkloadAssignment === p.name ? " assigned to the tenant" : ""}`);
  lines.push("SharePoint Online, OneDrive and Teams files:");
  if (!status.sharePoint.length) lines.push("  (no policy)");
  for (const p of status.sharePoint) lines.push(`  geo ${(p.geo || "(default)").padEnd(10)} ${p.state} ${p.progressPercent} %`);
  lines.push("Root keys (vault/key: versions, current):");
  for (const k of status.keys) lines.push(`  ${k.workload.padEnd(14)} ${k.keyUri.padEnd(36)} ${String(k.versions).padStart(2)} version(s), current ${k.current?.slice(0, 12) ?? "-"}…`);
  return lines.join("\n");
}
