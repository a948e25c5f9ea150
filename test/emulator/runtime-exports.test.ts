import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Checks the built package (`npm test` builds it first): what the .d.ts promises as values must
// exist at run time, and nothing in it may look like a value that the module does not export.
const built = (path: string) => {
  const full = resolve(process.cwd(), path);
  if (!existsSync(full)) throw new Error(`${path} is missing: run \`npm run build\` before these tests (npm test does).`);
  return full;
};

const valueDeclaration = /^(?:export\s+)?declare\s+(?:abstract\s+)?(const|let|var|function|class|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;

/** The names a bundled .d.ts exports, split into values and type-only names, and its value-like declarations. */
export function declaredExports(dts: string): { values: string[]; typeOnly: string[]; valueLike: Set<string> } {
  const valueLike = new Set([...dts.matchAll(valueDeclaration)].map((m) => m[2]!));
  const values: string[] = [];
  const typeOnly: string[] = [];
  for (const list of dts.matchAll(/^export\s+(type\s+)?\{([^}]*)\}/gm)) {
    for (const raw of list[2]!.split(",").map((n) => n.trim()).filter(Boolean)) {
      const isType = Boolean(list[1]) || raw.startsWith("type ");
      const name = raw.replace(/^type\s+/, "").split(/\s+as\s+/).at(-1)!;
      (isType ? typeOnly : values).push(name);
    }
  }
  for (const m of dts.matchAll(/^export\s+declare\s+(?:abstract\s+)?(?:const|let|var|function|class|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm)) values.push(m[1]!);
  return { values: values.sort(), typeOnly: typeOnly.sort(), valueLike };
}

describe("customer-key/emulator: runtime exports match the types", () => {
  for (const [dtsPath, load] of [
    ["dist/emulator/index.d.ts", () => import(built("dist/emulator/index.js"))],
    ["dist/emulator/index.d.cts", async () => createRequire(import.meta.url)(built("dist/emulator/index.cjs"))],
  ] as const) {
    it(`${dtsPath}: every value it declares exists, and every runtime export is declared`, async () => {
      const { values, typeOnly, valueLike } = declaredExports(readFileSync(built(dtsPath), "utf8"));
      const runtime = Object.keys(await load()).filter((k) => k !== "default" && k !== "__esModule").sort();
      expect(values).toEqual(runtime);
      // A type-only name declared as a class or const would read as importable: it must be an interface or type.
      expect(typeOnly.filter((name) => valueLike.has(name))).toEqual([]);
      expect(values.length).toBeGreaterThan(0);
    });
  }

  it("the parser sees values, type-only names and value-like declarations (the check can fail)", () => {
    const parsed = declaredExports("declare class Clock {}\ndeclare const X = 1;\ninterface I {}\nexport { type Clock, X, type I };\n");
    expect(parsed.values).toEqual(["X"]);
    expect(parsed.typeOnly).toEqual(["Clock", "I"]);
    expect(parsed.typeOnly.filter((n) => parsed.valueLike.has(n))).toEqual(["Clock"]);
  });
});
