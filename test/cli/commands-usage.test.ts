import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCliConfig } from "../../src/cli/cli-config.js";
import { cli } from "./cli-harness.js";

const COMMANDS = ["init", "plan", "apply", "validate", "status", "backup", "roll", "demo"];

describe("customer-key commands: help, usage errors, error output", () => {
  it.each([...COMMANDS, "emulator", "emulator start"])("%s --help exits 0 and shows an example", async (command) => {
    const result = await cli(...command.split(" "), "--help");
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Usage: customer-key ${command}`);
    expect(result.out).toMatch(new RegExp(`Example:\\n  customer-key ${command}`));
  });

  it("the top-level help lists every command", async () => {
    const { out, code } = await cli("--help");
    expect(code).toBe(0);
    for (const command of [...COMMANDS, "emulator"]) expect(out).toContain(command);
  });

  it.each([
    [["validate", "--format", "xml"], "Allowed choices are text, md, json, html"],
    [["demo", "--mailboxes", "0"], "'0' is invalid"],
    [["demo", "--mailboxes", "abc"], "'abc' is invalid"],
    [["roll"], "missing required argument 'keyUri'"],
    [["status", "--emulator", "--state", "x.json"], "cannot be used with option"],
    [["backup", "--bogus"], "unknown option '--bogus'"],
    [["emulator", "start", "--clock-rate", "0"], "'0' is invalid"],
    [["emulator", "start", "--clock-rate", "fast"], "'fast' is invalid"],
    [["emulator", "start", "--approve-do-not-cancel", "-5"], "'-5' is invalid"],
    [["emulator", "start", "--approve-do-not-cancel", "1.5"], "'1.5' is invalid"],
  ])("usage error %j exits 2 with the message and the usage", async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain(message);
    expect(result.err).toContain("Usage: customer-key");
  });

  it("an error prints its code, message and fix, and no stack trace without --verbose", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-err-"));
    const missing = join(dir, "missing.json");
    const plain = await cli("validate", "--config", missing, "--json");
    expect(plain.code).toBe(2);
    expect(plain.out).toBe(""); // --json: nothing but JSON on stdout, and here there is nothing to print
    expect(plain.err).toContain("error ERR_CONFIG_INVALID");
    expect(plain.err).toContain("(file): cannot read");
    expect(plain.err).toContain("Fix: Correct each field listed above");
    expect(plain.err).not.toMatch(/\n\s+at /);
    const verbose = await cli("validate", "--config", missing, "--verbose");
    expect(verbose.err).toMatch(/\n\s+at /);
  });

  it("a running emulator that is not there is a clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-err-"));
    const config = join(dir, "c.yaml");
    expect((await cli("init", config)).code).toBe(0);
    const result = await cli("status", "--config", config, "--state", join(dir, "nothing.json"));
    expect(result.code).toBe(2);
    expect(result.err).toContain("error ERR_CLI_EMULATOR_NOT_RUNNING");
    expect(result.err).toContain("Fix: Start one with `customer-key emulator start --state");
  });

  it("no tenant for real Azure: exit 2 with the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-err-"));
    const saved = process.env.AZURE_TENANT_ID;
    delete process.env.AZURE_TENANT_ID;
    try {
      // Keys and directories given: no configuration, so no tenant from it either.
      const result = await cli("backup", "--key", "https://contoso-exo-eu-a1.vault.azure.net/keys/exo-root", "--to", dir);
      expect(result.code).toBe(2);
      expect(result.err).toContain("ERR_CLI_TENANT_REQUIRED");
      expect(result.err).toContain("Fix: Pass --tenant <id>");
    } finally {
      if (saved !== undefined) process.env.AZURE_TENANT_ID = saved;
    }
  });

  it.each(["customer-key.config.yaml", "customer-key.config.json"])("init writes a sample %s that loads, and refuses to overwrite without --force", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-init-"));
    const file = join(dir, name);
    expect((await cli("init", file)).code).toBe(0);
    if (name.endsWith(".yaml")) expect(readFileSync(file, "utf8")).toContain("# Two subscriptions");
    const config = await loadCliConfig(file);
    expect(config.vaultPairs.map((p) => [p.workload, p.primary.vaultName])).toEqual([["exchange", "contoso-exo-eu-a1"], ["sharePoint", "contoso-spo-eu-a1"]]);
    expect(config.backupDirectories).toEqual([join(dir, "backups"), "/mnt/offline/customer-key-backups"]);
    const again = await cli("init", file);
    expect(again.code).toBe(2);
    expect(again.err).toContain("--force");
    expect((await cli("init", file, "--force")).code).toBe(0);
  });

  it.each([
    [{ extra: 1 }, "extra: unknown field"],
    [{ vaultPairs: { exchange: { primary: { vaultName: "contoso_exo_eu_a1" } } } }, "vaultPairs.exchange.primary"],
    [{ backups: { directories: ["./only-one"] } }, "backups.directories"],
  ])("a bad configuration names the path in the file, before any request: %j", async (change, message) => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-cfg-"));
    const sample = join(dir, "sample.json");
    await cli("init", sample);
    const content = { ...JSON.parse(readFileSync(sample, "utf8")), ...change };
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify(content));
    const result = await cli("validate", "--config", file, "--state", join(dir, "no-emulator.json"));
    expect(result.code).toBe(2);
    expect(result.err).toContain("ERR_CONFIG_INVALID");
    expect(result.err).toContain(message);
    expect(result.err).not.toContain("ERR_CLI_EMULATOR_NOT_RUNNING"); // the file is checked before connecting
  });
});

describe("colour", () => {
  it("only on a TTY, and never with NO_COLOR set", async () => {
    const { colour } = await import("../../src/cli/common-options.js");
    const io = { out: () => {}, err: () => {} };
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(colour({ io, progress: { write: () => true, isTTY: true } })(1, "x")).toBe("\x1b[1mx\x1b[0m");
      expect(colour({ io, progress: { write: () => true, isTTY: false } })(1, "x")).toBe("x");
      process.env.NO_COLOR = "1";
      expect(colour({ io, progress: { write: () => true, isTTY: true } })(1, "x")).toBe("x");
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});
