import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// These check the built package (`npm test` builds it first).
const built = (path: string) => {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` before these tests (npm test does).`);
  return path;
};

describe("the built bin and preload", () => {
  it("dist/cli/index.js is an executable bin that prints the package version", () => {
    const bin = built("dist/cli/index.js");
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toBe(version);
  });

  it("customer-key/emulator/preload resolves *.localhost to loopback, by --import and by --require, loading nothing else", () => {
    const probe = `require("node:dns").lookup("abc.vault.localhost", (e, a) => console.log(JSON.stringify({ a, mods: Object.keys(require.cache).filter((m) => m.includes("node_modules")).length })))`;
    for (const flag of [`--import=${new URL(`../../${built("dist/emulator/preload.js")}`, import.meta.url).href}`, `--require=./${built("dist/emulator/preload.cjs")}`]) {
      const out = JSON.parse(execFileSync(process.execPath, [flag, "-e", probe], { encoding: "utf8" }));
      expect(out).toEqual({ a: "127.0.0.1", mods: 0 });
    }
    // By its package name too (self-reference through "exports").
    const named = execFileSync(process.execPath, ["--import=customer-key/emulator/preload", "-e", probe], { encoding: "utf8" });
    expect(JSON.parse(named).a).toBe("127.0.0.1");
  });
});
