/**
 * The layers of src/ (docs/architecture.md): feature folders never import each other (the facade,
 * src/client.ts, wires them); rules/ is pure; only the facade and the entry may reach the emulator
 * (besides the CLI); the envelope loads nothing outside itself but the error base class.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const FEATURES = ["subscriptions", "vault-pairs", "keys", "backups", "directory", "preflight", "policies", "onboarding", "key-roll"];
const SHARED = ["internal", "rules", "azure", "store", "transports"];

/** Every relative import of every .ts file under a directory, resolved to a path relative to src/. */
function importsUnder(root: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) {
        const file = path.relative(root, full).split(path.sep).join("/");
        // preProcessFile finds static imports, re-exports, `import type` and `import("…")` types alike.
        for (const ref of ts.preProcessFile(readFileSync(full, "utf8"), true, true).importedFiles) {
          if (!ref.fileName.startsWith(".")) continue;
          out.push({ file, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.fileName)) });
        }
      }
    }
  };
  walk(root);
  return out;
}

const topOf = (p: string) => (p.includes("/") ? p.slice(0, p.indexOf("/")) : p.replace(/\.(js|ts)$/, ""));

/** The broken rules, one line each: `file → target: why`. */
export function layerViolations(imports: { file: string; target: string }[]): string[] {
  const broken: string[] = [];
  for (const { file, target } of imports) {
    const from = topOf(file);
    const to = topOf(target);
    const say = (why: string) => broken.push(`${file} → ${target}: ${why}`);
    if (to.startsWith("..")) say("imports outside src/");
    if (FEATURES.includes(from) && FEATURES.includes(to) && from !== to) say(`feature '${from}' imports feature '${to}' (wire them in src/client.ts)`);
    if (SHARED.includes(from) && FEATURES.includes(to)) say(`shared layer '${from}' imports feature '${to}'`);
    if (from === "rules" && to !== "rules" && to !== "errors") say("rules/ may import only rules/ and errors");
    if (to === "emulator" && !["emulator", "cli", "client", "index"].includes(from)) say("only the facade, the entry and the CLI may import the emulator");
    if (from === "envelope" && to !== "envelope" && to !== "errors") say("the envelope imports nothing outside itself but the error base class");
  }
  return broken;
}

describe("layers of src/", () => {
  const imports = importsUnder(path.resolve("src"));

  it("finds the imports it checks", () => {
    // A parser that found nothing would pass every rule below.
    expect(imports.length).toBeGreaterThan(200);
    expect(imports).toContainEqual({ file: "client.ts", target: "keys/keys-client.js" });
  });

  it("no feature folder imports another, rules/ is pure, only the facade reaches the emulator, the envelope stands alone", () => {
    expect(layerViolations(imports)).toEqual([]);
  });

  it("each rule fails on an import that breaks it", () => {
    expect(layerViolations([{ file: "keys/keys-client.ts", target: "backups/backups-client.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "preflight/checks/key.ts", target: "vault-pairs/types.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "rules/regions.ts", target: "internal/retry.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "azure/arm-vaults.ts", target: "vault-pairs/apply.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "keys/keys-client.ts", target: "emulator/index.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "envelope/seal.ts", target: "internal/retry.js" }])).toHaveLength(1);
    expect(layerViolations([{ file: "keys/keys-client.ts", target: "rules/key-rules.js" }])).toEqual([]);
    expect(layerViolations([{ file: "envelope/errors.ts", target: "errors.js" }])).toEqual([]);
  });
});
