/**
 * The report's topology, gathered after the checks from the reads they already made (memoised in
 * the ValidationReader and the policy reads): it never sends a request of its own, and holds names,
 * ids, regions and key URIs only — no key material, no token.
 */
import { parsePolicyKeyUri } from "../rules/data-encryption-policy.js";
import type { PolicyReads } from "./checks/policy.js";
import type { SharePointPolicyView } from "./checks/sharepoint-policy.js";
import type { NormalizedTarget } from "./normalize-target.js";
import type { ValidationReader } from "./preflight-reads.js";
import type { PreflightTopology, TopologyPolicy, TopologyVault } from "./types.js";

/** What the Microsoft 365 checks read, when they ran. */
export interface Microsoft365Reads {
  policies?: PolicyReads;
  sharePoint?: SharePointPolicyView[];
  /** Sites per geo code (upper case, `""` single geo), when a `policy.sharePoint.state` check read them. */
  siteCounts?: Map<string, number>;
}

const settled = async <T>(read: () => Promise<T>): Promise<T | undefined> => read().catch(() => undefined);

async function policiesOf(m365: Microsoft365Reads): Promise<TopologyPolicy[]> {
  const out: TopologyPolicy[] = [];
  const reads = m365.policies;
  if (reads) {
    const mailboxes = reads.wasRead("mailboxes") ? ((await settled(reads.mailboxes)) ?? []) : undefined;
    const counts = new Map<string, number>();
    for (const row of mailboxes ?? []) {
      const name = row["DataEncryptionPolicy"];
      if (typeof name === "string") counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1);
    }
    for (const p of (reads.wasRead("dep") ? await settled(reads.mailboxPolicies) : undefined) ?? []) {
      out.push({ kind: "exchange", name: p.name, keyUris: [...p.keyUris], ...(mailboxes ? { mailboxCount: counts.get(p.name.toLowerCase()) ?? 0 } : {}) });
    }
    const assignment = reads.wasRead("m365Assignment") ? await settled(reads.m365Assignment) : undefined;
    const assignedName = typeof assignment?.["Name"] === "string" ? assignment["Name"].toLowerCase() : undefined;
    for (const p of (reads.wasRead("m365") ? await settled(reads.m365Policies) : undefined) ?? []) {
      out.push({ kind: "multiWorkload", name: p.name, keyUris: [...p.keyUris], ...(reads.wasRead("m365Assignment") ? { assigned: p.name.toLowerCase() === assignedName } : {}) });
    }
  }
  for (const g of m365.sharePoint ?? []) {
    const keyUris = [g.primaryKeyUri, g.secondaryKeyUri].filter((u): u is string => typeof u === "string");
    const siteCount = m365.siteCounts ? (m365.siteCounts.get(g.geo.toUpperCase()) ?? 0) : undefined;
    out.push({ kind: "sharePoint", name: g.geo ? `SharePoint ${g.geo}` : "SharePoint", keyUris, geo: g.geo, state: g.state, progressPercent: g.progressPercent, ...(siteCount !== undefined ? { siteCount } : {}) });
  }
  return out;
}

export async function collectTopology(reader: ValidationReader, target: NormalizedTarget, tenantId: string, m365: Microsoft365Reads | undefined): Promise<PreflightTopology> {
  const policies = m365 ? await policiesOf(m365) : undefined;
  const subscriptionIds = [...new Set(target.members.map((m) => m.subscriptionId.toLowerCase()))];
  const subscriptions = await Promise.all(subscriptionIds.map(async (id) => {
    const info = await reader.subscriptionIfRead(id);
    return { subscriptionId: info?.subscriptionId ?? id, ...(info?.displayName ? { displayName: info.displayName } : {}), ...(info?.state ? { state: info.state } : {}) };
  }));
  const vaults = await Promise.all(target.members.map(async (m): Promise<TopologyVault> => {
    const vault = await reader.vaultIfRead(m);
    const vaultUri = vault?.properties?.vaultUri?.replace(/\/+$/, "");
    const keys = new Map<string, { name: string; versions: string[] }>();
    const add = (name: string, version: string | undefined) => {
      const entry = keys.get(name.toLowerCase()) ?? { name, versions: [] };
      keys.set(name.toLowerCase(), entry);
      if (version && !entry.versions.includes(version)) entry.versions.push(version);
    };
    if (vaultUri && m.keyName) {
      const key = await reader.keyIfRead(vaultUri, m.keyName, m.keyUri?.version);
      if (key) add(key.name, key.properties.version);
    }
    // Versions the policies name in this vault: the picture links each policy to the version it uses.
    for (const p of policies ?? []) {
      for (const uri of p.keyUris) {
        const k = parsePolicyKeyUri(uri);
        if (k && vaultUri && k.vaultUrl.replace(/\/+$/, "").toLowerCase() === vaultUri.toLowerCase()) add(k.name, k.version);
      }
    }
    return {
      member: m.member,
      subscriptionId: m.subscriptionId,
      vaultName: vault?.name ?? m.vaultName,
      ...(vault?.location ? { location: vault.location } : {}),
      ...(vaultUri ? { vaultUri } : {}),
      keys: [...keys.values()],
    };
  }));
  return { tenantId, subscriptions, vaults, ...(policies ? { policies } : {}) };
}
