/** CUSTOMER_KEY_ERROR_CODES is exactly the set of codes the SDK's source throws (the envelope keeps its own list). */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CUSTOMER_KEY_ERROR_CODES, type CustomerKeyErrorCode } from "../../src/index.js";
import { ENVELOPE_ERROR_CODES } from "../../src/envelope/index.js";

/** Every `ERR_…` string literal in src/, outside the envelope (own list) and the emulator (wire codes). */
function codesInSource(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["envelope", "emulator"].includes(entry.name) || dir !== path.resolve("src")) walk(full);
      } else if (entry.name.endsWith(".ts")) {
        for (const m of readFileSync(full, "utf8").matchAll(/["'`](ERR_[A-Z0-9_]+)["'`]/g)) found.add(m[1]!);
      }
    }
  };
  walk(path.resolve("src"));
  return found;
}

describe("CUSTOMER_KEY_ERROR_CODES", () => {
  const listed = new Set<string>(CUSTOMER_KEY_ERROR_CODES);
  const envelope = new Set<string>(ENVELOPE_ERROR_CODES);

  it("lists every code src/ throws, and nothing it does not", () => {
    const inSource = [...codesInSource()].filter((c) => !envelope.has(c));
    expect(inSource.length).toBeGreaterThan(40);
    expect(inSource.filter((c) => !listed.has(c))).toEqual([]);
    // errors.ts itself holds the list, so every code appears there: count uses outside it.
    const outside = new Set<string>();
    for (const file of ["internal", "rules", "azure", "store", "keys", "backups", "vault-pairs", "preflight", "subscriptions", "directory", "transports", "client.ts", "policies", "key-roll" /* SharePoint policies and key roll (wave3-policies-sharepoint) */]) {
      const walk = (p: string) => {
        if (p.endsWith(".ts")) for (const m of readFileSync(p, "utf8").matchAll(/["'`](ERR_[A-Z0-9_]+)["'`]/g)) outside.add(m[1]!);
        else for (const e of readdirSync(p)) walk(path.join(p, e));
      };
      walk(path.resolve("src", file));
    }
    for (const code of ["ERR_ABORTED", "ERR_CONFIRMATION_REQUIRED"]) outside.add(code); // thrown by errors.ts's own classes
    expect([...listed].filter((c) => !outside.has(c))).toEqual([]);
  });

  it("has no duplicates and shares none with the envelope's list", () => {
    expect(listed.size).toBe(CUSTOMER_KEY_ERROR_CODES.length);
    expect([...listed].filter((c) => envelope.has(c))).toEqual([]);
  });

  it("types the code, so a switch over it is checked by the compiler", () => {
    const describe = (code: CustomerKeyErrorCode): string => {
      switch (code) {
        case "ERR_VAULT_NAME_INVALID":
          return "name";
        // @ts-expect-error: not a code of the SDK
        case "ERR_NO_SUCH_CODE":
          return "never";
        default:
          return "other";
      }
    };
    expect(describe("ERR_VAULT_NAME_INVALID")).toBe("name");
  });
});
