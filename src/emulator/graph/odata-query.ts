import { ServiceError, type EmulatorRequest } from "../kernel/http.js";

/** A parsed `$filter` clause the emulator understands: `prop eq 'value'` or `startswith(prop,'value')`. */
interface Clause {
  property: string;
  op: "eq" | "startswith";
  value: string;
}

/** Parses `a eq 'x' and startswith(b,'y')`; anything else is Graph's 400 Request_UnsupportedQuery. */
export function parseFilter(filter: string | null): Clause[] {
  if (!filter || !filter.trim()) return [];
  return filter.split(/\s+and\s+/i).map((part) => {
    const eq = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (eq) return { property: eq[1]!, op: "eq" as const, value: eq[2]!.replace(/''/g, "'") };
    const sw = /^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(part);
    if (sw) return { property: sw[1]!, op: "startswith" as const, value: sw[2]!.replace(/''/g, "'") };
    throw new ServiceError(400, "Request_UnsupportedQuery", "Unsupported Query.");
  });
}

/** Whether an object matches every clause (string comparison is case-insensitive, as Graph's is). */
export function matches(item: Record<string, unknown>, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    const key = Object.keys(item).find((k) => k.toLowerCase() === c.property.toLowerCase());
    if (!key) throw new ServiceError(400, "Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for property '${c.property}'.`);
    const value = String(item[key] ?? "").toLowerCase();
    return c.op === "eq" ? value === c.value.toLowerCase() : value.startsWith(c.value.toLowerCase());
  });
}

/** Applies `$select` (case-insensitive property names); without it, the default property set. */
export function select(req: EmulatorRequest, full: Record<string, unknown>, defaults: readonly string[]): Record<string, unknown> {
  const wanted = req.query("$select");
  const names = wanted ? wanted.split(",").map((s) => s.trim()).filter(Boolean) : defaults;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const key = Object.keys(full).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key) out[key] = full[key];
  }
  return out;
}

/** A collection answer with `$top` paging through `@odata.nextLink`. */
export function collection(req: EmulatorRequest, context: string, items: Record<string, unknown>[]): Record<string, unknown> {
  const topText = req.query("$top");
  const top = topText && /^\d+$/.test(topText) ? Math.max(1, Math.min(999, Number(topText))) : 100;
  const skipText = req.query("$skiptoken");
  const skip = skipText && /^\d+$/.test(skipText) ? Number(skipText) : 0;
  const value = items.slice(skip, skip + top);
  const body: Record<string, unknown> = { "@odata.context": context, value };
  if (skip + top < items.length) {
    const next = new URL(req.path, req.origin);
    for (const [k, v] of req.url.searchParams) if (k.toLowerCase() !== "$skiptoken") next.searchParams.append(k, v);
    next.searchParams.set("$skiptoken", String(skip + top));
    body["@odata.nextLink"] = next.toString();
  }
  return body;
}
