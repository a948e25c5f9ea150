import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const emulatorDir = join(root, "src/emulator");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Relative imports of a file that exist at run time (`import type` and all-`type` braces left out). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:\{([^}]*)\}|[^"';]*?)\s*from\s+"(\.{1,2}\/[^"]+)"/gm)) {
    if (m[1]) continue;
    const names = m[2]?.split(",").map((n) => n.trim()).filter(Boolean);
    if (names && names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    found.push(resolve(dirname(file), m[3]!.replace(/\.js$/, ".ts")));
  }
  return found;
}

const allImports = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")));

const sources = filesUnder(emulatorDir);
const rel = (file: string) => relative(emulatorDir, file);

describe("emulator module structure", () => {
  it("has no import cycle at run time", () => {
    const graph = new Map(sources.map((f) => [f, valueImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].map(rel).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of sources) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const graph = new Map([["a", ["b"]], ["b", ["a"]]]);
    const seen = new Set<string>();
    const hasCycle = (node: string, path: Set<string>): boolean =>
      path.has(node) || (!seen.has(node) && (seen.add(node), (graph.get(node) ?? []).some((n) => hasCycle(n, new Set([...path, node])))));
    expect(hasCycle("a", new Set())).toBe(true);
  });

  it("keeps the kernel free of any service: it imports nothing from a service folder or the registry", () => {
    const kernel = sources.filter((f) => rel(f).startsWith("kernel/"));
    const outside = kernel.flatMap((f) =>
      allImports(f)
        .filter((target) => !rel(target).startsWith("kernel/") && !["endpoints.ts", "public-types.ts"].includes(rel(target)))
        .map((target) => `${rel(f)} → ${rel(target)}`),
    );
    expect(outside).toEqual([]);
  });

  it("gives every service folder a service.ts and a routes/ folder, registered in registry.ts", () => {
    const registry = readFileSync(join(emulatorDir, "registry.ts"), "utf8");
    for (const service of ["identity", "arm", "keyvault", "graph"]) {
      const files = filesUnder(join(emulatorDir, service)).map((f) => relative(join(emulatorDir, service), f));
      expect(files, service).toContain("service.ts");
      expect(files.some((f) => f.startsWith("routes/")), `${service}/routes/`).toBe(true);
      expect(registry).toContain(`./${service}/service.js`);
    }
  });

  it("names every file in kebab-case", () => {
    const names = [...sources, ...filesUnder(join(root, "test/emulator"))].map((f) => f.split("/").at(-1)!);
    expect(names.filter((n) => !/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9-]+)*\.ts$/.test(n))).toEqual([]);
  });
});
