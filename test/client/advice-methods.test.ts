/**
 * Every `client.<module>.<method>` (and `client.<method>`) that an error message, a remediation, a
 * doc comment or the README tells a reader to call exists on CustomerKeyClient (issue 11 §1: the
 * advice `client.vaultPairs.apply()` named a method that never existed; it is `beginApply`).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CustomerKeyClient } from "../../src/index.js";

const SKIP = new Set(["emulator", "envelope"]);

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === path.resolve("src") && SKIP.has(entry.name))) files(full, out);
    } else if (/\.(ts|md)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** `client.a.b` and `client.a(` mentions, with where they are. */
function mentions(text: string, file: string): { call: string[]; where: string }[] {
  const found: { call: string[]; where: string }[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    for (const m of line.matchAll(/\bclient\.([a-zA-Z]+)(?:\.([a-zA-Z]+))?\s*\(/g)) {
      found.push({ call: m[2] ? [m[1]!, m[2]] : [m[1]!], where: `${path.relative(process.cwd(), file)}:${index + 1}` });
    }
  }
  return found;
}

describe("advice names methods that exist", () => {
  const client = new CustomerKeyClient({ getToken: async () => null }, { tenantId: "00000000-0000-0000-0000-000000000001" });
  const exists = (call: string[]): boolean => {
    let target: unknown = client;
    for (const [i, part] of call.entries()) {
      const value = (target as Record<string, unknown> | undefined)?.[part];
      if (i === call.length - 1) return typeof value === "function";
      target = value;
    }
    return false;
  };

  it("in src/ (outside the emulator and the envelope), the README and docs/", () => {
    const all = [...files(path.resolve("src")), path.resolve("README.md"), ...files(path.resolve("docs"))].flatMap((f) => mentions(readFileSync(f, "utf8"), f));
    expect(all.length).toBeGreaterThan(30);
    // Not advice: calls on other objects named `client` in code (a Graph client's `.api(`, an ARM
    // client's `.sendRequest(`) and the placeholder `client.beginX()` in the poller's doc comment.
    const advice = all.filter((m) => !["api", "sendRequest", "beginX"].includes(m.call[0]!));
    expect(advice.filter((m) => !exists(m.call)).map((m) => `${m.where}: client.${m.call.join(".")}()`)).toEqual([]);
  });

  it("catches a method that does not exist", () => {
    expect(mentions('Create it with client.vaultPairs.apply(), or check the names.', "x").filter((m) => !exists(m.call))).toHaveLength(1);
  });
});
