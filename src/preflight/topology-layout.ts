/**
 * A deterministic layered layout of the report's topology, of our own rather than dagre or elkjs:
 * the graph always has the same six layers (tenant → subscriptions → vaults → key versions →
 * policies → assignments) and edges only between neighbouring layers, so a column per layer with
 * rows ordered by their neighbours' rows (one barycentre pass) draws it without crossings in the
 * usual shapes; it is a few dozen lines, needs no dependency in the page or the package, and the
 * same report always gives the same picture (snapshot-testable).
 */
import type { CheckStatus, PreflightCheck, PreflightTopology, TopologyPolicy } from "./types.js";

/** The six layers, left to right. */
export const LAYERS = ["tenant", "subscription", "vault", "keyVersion", "policy", "assignment"] as const;
export type LayerName = (typeof LAYERS)[number];

export interface TopologyNode {
  id: string;
  layer: LayerName;
  label: string;
  detail: string;
  /** `fail` or `warn` when a check about this part failed or warned; else `pass`. */
  status: Exclude<CheckStatus, "skip">;
  /** The checks that marked it, for the tooltip. */
  marks: string[];
  x: number;
  y: number;
}

export interface TopologyEdge {
  from: string;
  to: string;
}

export interface TopologyLayout {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 196;
export const NODE_HEIGHT = 46;
const COLUMN_GAP = 40;
const ROW_GAP = 14;
const MARGIN = 12;

const short = (version: string) => version.slice(0, 8);
const hostOf = (uri: string) => {
  try {
    return new URL(uri).hostname.split(".")[0]!.toLowerCase();
  } catch {
    return undefined;
  }
};
const keyPartsOf = (uri: string) => {
  try {
    const [, kind, name, version] = new URL(uri).pathname.split("/");
    return kind === "keys" && name ? { vault: hostOf(uri)!, name: name.toLowerCase(), version: version?.toLowerCase() || undefined } : undefined;
  } catch {
    return undefined;
  }
};

type Draft = Omit<TopologyNode, "x" | "y" | "status" | "marks">;

/** Which checks mark a node: failing or warning checks whose structured scope (or quoted policy name) names it. */
function marksFor(node: Draft, scope: { subscriptionId?: string; vaultName?: string; keyName?: string; policy?: TopologyPolicyRef }, checks: readonly PreflightCheck[]): { status: TopologyNode["status"]; marks: string[] } {
  const hits = checks.filter((c) => {
    if (c.status !== "fail" && c.status !== "warn") return false;
    const eq = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
    switch (node.layer) {
      case "tenant":
        return !c.subscriptionId && !c.vaultName && !c.id.startsWith("policy.") && !c.id.startsWith("vault.");
      case "subscription":
        return eq(c.subscriptionId, scope.subscriptionId) && !c.vaultName;
      case "vault":
        return eq(c.vaultName, scope.vaultName) && !c.keyName && (c.id.startsWith("vault.") || c.id.startsWith("access."));
      case "keyVersion":
        return eq(c.vaultName, scope.vaultName) && eq(c.keyName, scope.keyName);
      case "policy":
      case "assignment": {
        const p = scope.policy!;
        if (!c.id.startsWith("policy.")) return false;
        if (p.kind === "sharePoint") return c.id === "policy.sharePoint.state" && c.target.toLowerCase().endsWith(p.geo ? `geo ${p.geo}`.toLowerCase() : "sharepoint online");
        if (node.layer === "assignment") return (p.kind === "exchange" && c.id === "policy.exchange.assignment") || (p.kind === "multiWorkload" && c.id === "policy.multiWorkload.assignment");
        return c.evidence.includes(`'${p.name}'`);
      }
    }
  });
  const status = hits.some((c) => c.status === "fail") ? "fail" : hits.length > 0 ? "warn" : "pass";
  return { status, marks: hits.map((c) => `${c.status.toUpperCase()} ${c.id}: ${c.target}`) };
}

interface TopologyPolicyRef {
  kind: "exchange" | "multiWorkload" | "sharePoint";
  name: string;
  geo?: string;
}

/** A SharePoint geo's count node: "1,240 sites · 100 %" (registration progress), or its geo when the sites were not counted. */
function sharePointCountLabel(p: TopologyPolicy): string {
  const progress = p.progressPercent !== undefined && p.state && !/^unregistered$/i.test(p.state) ? ` · ${p.progressPercent} %` : "";
  if (p.siteCount === undefined) return `geo ${p.geo || "(single geo)"}${progress}`;
  return `${p.siteCount.toLocaleString("en-US")} site${p.siteCount === 1 ? "" : "s"}${progress}`;
}

/** Lays the topology out in six columns; node and edge order follow the report's order, so the result is deterministic. */
export function layoutTopology(topology: PreflightTopology, checks: readonly PreflightCheck[]): TopologyLayout {
  const drafts: Array<Draft & { scope: Parameters<typeof marksFor>[1] }> = [];
  const edges: TopologyEdge[] = [];
  const tenantId = "tenant";
  drafts.push({ id: tenantId, layer: "tenant", label: "Tenant", detail: topology.tenantId, scope: {} });
  for (const s of topology.subscriptions) {
    const id = `sub:${s.subscriptionId.toLowerCase()}`;
    drafts.push({ id, layer: "subscription", label: s.displayName ?? s.subscriptionId, detail: `${s.subscriptionId}${s.state ? ` · ${s.state}` : ""}`, scope: { subscriptionId: s.subscriptionId } });
    edges.push({ from: tenantId, to: id });
  }
  const keyNodes = new Map<string, string>(); // "vault/key/version" and "vault/key/" (first version) → node id
  for (const v of topology.vaults) {
    const id = `vault:${v.vaultName.toLowerCase()}`;
    drafts.push({ id, layer: "vault", label: v.vaultName, detail: `${v.location ?? "region unknown"} · ${v.member}`, scope: { vaultName: v.vaultName } });
    edges.push({ from: `sub:${v.subscriptionId.toLowerCase()}`, to: id });
    for (const k of v.keys) {
      for (const version of k.versions.length > 0 ? k.versions : [""]) {
        const kid = `key:${v.vaultName.toLowerCase()}/${k.name.toLowerCase()}/${version}`;
        drafts.push({ id: kid, layer: "keyVersion", label: k.name, detail: version ? `version ${short(version)}` : "version unknown", scope: { vaultName: v.vaultName, keyName: k.name } });
        edges.push({ from: id, to: kid });
        keyNodes.set(`${v.vaultName.toLowerCase()}/${k.name.toLowerCase()}/${version}`, kid);
        if (!keyNodes.has(`${v.vaultName.toLowerCase()}/${k.name.toLowerCase()}/`)) keyNodes.set(`${v.vaultName.toLowerCase()}/${k.name.toLowerCase()}/`, kid);
      }
    }
  }
  for (const [i, p] of (topology.policies ?? []).entries()) {
    const id = `policy:${i}`;
    const kind = p.kind === "exchange" ? "Exchange DEP" : p.kind === "multiWorkload" ? "Multi-workload DEP" : "SharePoint policy";
    const ref: TopologyPolicyRef = { kind: p.kind, name: p.name, ...(p.geo !== undefined ? { geo: p.geo } : {}) };
    drafts.push({ id, layer: "policy", label: p.name, detail: p.state ? `${kind} · ${p.state}` : kind, scope: { policy: ref } });
    for (const uri of p.keyUris) {
      const k = keyPartsOf(uri);
      const target = k && (keyNodes.get(`${k.vault}/${k.name}/${k.version ?? ""}`) ?? keyNodes.get(`${k.vault}/${k.name}/`));
      if (target) edges.push({ from: target, to: id });
    }
    const count = p.kind === "exchange" ? (p.mailboxCount !== undefined ? `${p.mailboxCount} mailbox${p.mailboxCount === 1 ? "" : "es"}` : undefined)
      : p.kind === "multiWorkload" ? (p.assigned === undefined ? undefined : p.assigned ? "assigned to the tenant" : "not assigned")
      : sharePointCountLabel(p);
    if (count) {
      const detail = p.kind === "sharePoint" ? (p.geo ? `geo ${p.geo} · SharePoint, OneDrive` : "SharePoint, OneDrive, Teams") : p.kind === "exchange" ? "Exchange Online" : "Teams, other workloads";
      drafts.push({ id: `assign:${i}`, layer: "assignment", label: count, detail, scope: { policy: ref } });
      edges.push({ from: id, to: `assign:${i}` });
    }
  }

  // Columns: only layers that have nodes; rows ordered by the mean row of their left neighbours.
  const columns = LAYERS.map((layer) => drafts.filter((d) => d.layer === layer)).filter((c) => c.length > 0);
  const row = new Map<string, number>();
  for (const column of columns) {
    const weight = (d: Draft) => {
      const left = edges.filter((e) => e.to === d.id && row.has(e.from)).map((e) => row.get(e.from)!);
      const right = edges.filter((e) => e.from === d.id && row.has(e.to)).map((e) => row.get(e.to)!);
      const all = [...left, ...right];
      return all.length > 0 ? all.reduce((a, b) => a + b, 0) / all.length : Number.MAX_SAFE_INTEGER;
    };
    const sorted = column.map((d, i) => ({ d, i, w: weight(d) })).sort((a, b) => a.w - b.w || a.i - b.i);
    sorted.forEach(({ d }, r) => row.set(d.id, r));
    column.splice(0, column.length, ...sorted.map((s) => s.d));
  }
  const tallest = Math.max(...columns.map((c) => c.length));
  const height = MARGIN * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP;
  const nodes: TopologyNode[] = [];
  columns.forEach((column, ci) => {
    const columnHeight = column.length * NODE_HEIGHT + (column.length - 1) * ROW_GAP;
    const top = MARGIN + (height - 2 * MARGIN - columnHeight) / 2;
    column.forEach((d, ri) => {
      const { scope, ...rest } = d as Draft & { scope: Parameters<typeof marksFor>[1] };
      nodes.push({ ...rest, ...marksFor(d, scope, checks), x: MARGIN + ci * (NODE_WIDTH + COLUMN_GAP), y: Math.round(top + ri * (NODE_HEIGHT + ROW_GAP)) });
    });
  });
  const known = new Set(nodes.map((n) => n.id));
  return {
    nodes,
    edges: edges.filter((e) => known.has(e.from) && known.has(e.to)),
    width: MARGIN * 2 + columns.length * NODE_WIDTH + (columns.length - 1) * COLUMN_GAP,
    height,
  };
}
