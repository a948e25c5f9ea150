/**
 * One picture of several reports (one per vault pair): the union of their subscriptions, vaults
 * with their key versions, and policies, each once. A later report adds what an earlier one
 * lacked (a count, a state); it never removes anything.
 */
import type { PreflightTopology, TopologyKey, TopologyPolicy, TopologySubscription, TopologyVault } from "./types.js";

/** Fields of `b` that are set, over `a`. */
function over<T extends object>(a: T | undefined, b: T): T {
  const out = { ...(a ?? {}) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) if (v !== undefined) out[k] = v;
  return out as T;
}

function mergeKeys(a: readonly TopologyKey[], b: readonly TopologyKey[]): TopologyKey[] {
  const keys = new Map(a.map((k) => [k.name.toLowerCase(), { name: k.name, versions: [...k.versions] }]));
  for (const k of b) {
    const entry = keys.get(k.name.toLowerCase()) ?? { name: k.name, versions: [] };
    for (const v of k.versions) if (!entry.versions.includes(v)) entry.versions.push(v);
    keys.set(k.name.toLowerCase(), entry);
  }
  return [...keys.values()];
}

export function combineTopologies(topologies: readonly (PreflightTopology | undefined)[]): PreflightTopology | undefined {
  const present = topologies.filter((t): t is PreflightTopology => t !== undefined);
  if (present.length === 0) return undefined;
  const subscriptions = new Map<string, TopologySubscription>();
  const vaults = new Map<string, TopologyVault>();
  const policies = new Map<string, TopologyPolicy>();
  for (const t of present) {
    for (const s of t.subscriptions) subscriptions.set(s.subscriptionId.toLowerCase(), over(subscriptions.get(s.subscriptionId.toLowerCase()), s));
    for (const v of t.vaults) {
      const id = v.vaultName.toLowerCase();
      const before = vaults.get(id);
      vaults.set(id, { ...over(before, v), keys: mergeKeys(before?.keys ?? [], v.keys) });
    }
    for (const p of t.policies ?? []) {
      const id = `${p.kind}:${p.name.toLowerCase()}:${p.geo ?? ""}`;
      policies.set(id, over(policies.get(id), p));
    }
  }
  return {
    tenantId: present[0]!.tenantId,
    subscriptions: [...subscriptions.values()],
    vaults: [...vaults.values()],
    ...(present.some((t) => t.policies) ? { policies: [...policies.values()] } : {}),
  };
}
