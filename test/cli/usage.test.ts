import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.js";

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("customer-key usage", () => {
  it("--version prints the version from package.json", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = await cli(flag);
      expect(result).toMatchObject({ code: 0, err: "" });
      expect(result.out.trim()).toBe(version);
    }
  });

  it.each([[[]], [["emulator"]], [["emulator", "start"]]])("--help works on every command: %j", async (path) => {
    for (const argv of [[...path, "--help"], [...path, "-h"]]) {
      const result = await cli(...argv);
      expect(result.code).toBe(0);
      expect(result.out).toContain(`Usage: customer-key${path.length ? ` ${path.join(" ")}` : ""} [options]`);
    }
    // The help command of the level above: `customer-key help emulator`, `customer-key emulator help start`.
    if (path.length) expect((await cli(...path.slice(0, -1), "help", path.at(-1)!)).out).toContain(`Usage: customer-key ${path.join(" ")}`);
  });

  it("emulator start --help lists its options and how to stop it", async () => {
    const { out } = await cli("emulator", "start", "--help");
    for (const text of ["--port <n>", "--state <file>", "--ca-file <file>", "Ctrl-C or SIGTERM", "NODE_EXTRA_CA_CERTS"]) expect(out).toContain(text);
  });

  it.each([
    [["bogus"], "unknown command 'bogus'", "Usage: customer-key [options]"],
    [["--bogus"], "unknown option '--bogus'", "Usage: customer-key [options]"],
    [["emulator", "stop"], "unknown command 'stop'", "Usage: customer-key emulator [options]"],
    [["emulator", "start", "--bogus"], "unknown option '--bogus'", "Usage: customer-key emulator start [options]"],
    [["emulator", "start", "--port", "x"], "'x' is invalid", "Usage: customer-key emulator start [options]"],
    [["emulator", "start", "--port", "70000"], "'70000' is invalid", "Usage: customer-key emulator start [options]"],
    [["emulator", "start", "--port", "-1"], "", "Usage: customer-key emulator start [options]"],
    [["emulator", "start", "--port"], "argument missing", "Usage: customer-key emulator start [options]"],
    [["emulator", "start", "extra"], "too many arguments", "Usage: customer-key emulator start [options]"],
  ])("usage error %j: message, usage text on stderr, exit code 2", async (argv, message, usage) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain(message);
    expect(result.err).toContain(usage);
  });

  it("no command at all is a usage error that shows the usage", async () => {
    const result = await cli();
    expect(result.code).toBe(2);
    expect(result.err).toContain("Usage: customer-key [options] [command]");
    expect(result.err).toContain("emulator");
  });
});
