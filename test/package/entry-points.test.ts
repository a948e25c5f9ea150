import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { describe, expect, it } from "vitest";

// These check the built package (`npm test` builds it first).
const built = (path: string) => {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` before these tests (npm test does).`);
  return path;
};

describe("published entry points", () => {
  it("customer-key/envelope loads no @azure code and has no runtime dependency", () => {
    for (const file of ["dist/envelope/index.js", "dist/envelope/index.cjs"]) {
      const text = readFileSync(built(file), "utf8");
      const imports = [...text.matchAll(/(?:from\s+|require\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
      expect(imports.filter((name) => !isBuiltin(name!) && !name!.startsWith("."))).toEqual([]);
    }
    // Load it in a fresh process and list every module that came with it.
    const loaded = execFileSync(process.execPath, ["-e", `require("./dist/envelope/index.cjs"); console.log(JSON.stringify(Object.keys(require.cache)))`], { encoding: "utf8" });
    expect(JSON.parse(loaded).filter((m: string) => m.includes("node_modules"))).toEqual([]);
  });

  it("the CommonJS build of the main entry loads and runs (p-retry is bundled)", () => {
    // A require("p-retry") left in the CJS build throws at run time (research sdk-local-wiring §1).
    expect(readFileSync(built("dist/index.cjs"), "utf8")).not.toMatch(/require\(["']p-retry["']\)/);
    const out = execFileSync(process.execPath, ["-e", `const m = require("./dist/index.cjs"); console.log(typeof m.CustomerKeyClient, typeof m.isCustomerKeyError)`], { encoding: "utf8" });
    expect(out.trim()).toBe("function function");
  });

  it("the ESM builds import", async () => {
    const envelope = await import(`${process.cwd()}/${built("dist/envelope/index.js")}`);
    expect(typeof envelope.seal).toBe("function");
    const emulator = await import(`${process.cwd()}/${built("dist/emulator/index.js")}`);
    expect(typeof emulator.startEmulator).toBe("function");
  });
});
