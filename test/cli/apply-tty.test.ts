/**
 * `customer-key apply` in a real pseudo-terminal (util-linux `script`), against an emulator reached
 * with `--state FILE`: on a TTY the bar is redrawn in place with carriage returns and keeps to the
 * terminal's width; to a stream that is no TTY (a pipe) it prints plain lines with no escape code.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient } from "../../src/index.js";
import { run } from "../../src/cli/program.js";
import { renderTerminal } from "../helpers/terminal-screen.js";
import { shareWithCli } from "./shared-emulator.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let emulator: Emulator;
let dir: string;
let state: string;

/** A configuration of one Exchange pair whose policy goes to 50 mailboxes (a bulk assignment). */
function writeConfig(name: string, policy: string): string {
  const [primary, secondary] = emulator.subscriptionIds as [string, string];
  const file = join(dir, `${name}.json`);
  const vault = (suffix: string, location: string) => ({ resourceGroup: `rg-${name}-${suffix}`, location, vaultName: `${name}-${suffix}` });
  writeFileSync(
    file,
    JSON.stringify({
      tenantId: emulator.tenantId,
      subscriptions: { primary, secondary },
      administrators: [emulator.admin.userPrincipalName],
      backups: { directories: [join(dir, name, "online"), join(dir, name, "offline")] },
      vaultPairs: { exchange: { primary: vault("a1", "westeurope"), secondary: vault("b1", "swedencentral"), keyName: "exo-root" } },
      policies: { exchange: [{ name: policy, vaultPair: "exchange", mailboxes: { list: emulator.exchange.listMailboxes({ limit: 50 }).map((m) => m.userPrincipalName) } }] },
      microsoft: { onboardingRequestSubmitted: true },
    }),
  );
  return file;
}

beforeAll(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "ck-cli-tty-"));
  state = shareWithCli(emulator, dir);
  // Do-Not-Cancel registered and approved up front: Microsoft's approval is not what this test is about.
  const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
  await registerDoNotCancelApproved(client, emulator);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI inside `script`, a terminal of `columns` columns; resolves with everything the terminal received. */
function cliInTerminal(argv: string[], columns: number, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const command = `stty cols ${columns}; exec ${[process.execPath, "--import", "tsx", "src/cli/bin.ts", ...argv].map(shellQuote).join(" ")}`;
  return new Promise((resolve) => {
    execFile("script", ["-qec", command, "/dev/null"], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout }),
    );
  });
}

describe.skipIf(!hasScript)("apply's progress on a terminal and through a pipe", () => {
  it("on an 80-column terminal: one bar redrawn with \\r, within 80 columns, a final line; no colour with NO_COLOR", async () => {
    const config = writeConfig("tty", "EU_tty");
    const { code, output } = await cliInTerminal(["apply", "--config", config, "--state", state, "--journal", join(dir, "tty.journal.json")], 80, { NO_COLOR: "1" });
    expect(code).toBe(0);
    // The bar is redrawn in place many times: each redraw starts with \r and erases the rest of the line.
    const redraws = output.match(/\r(?!\n)applying \[[#-]{30}\] \d+\/\d+/g) ?? [];
    expect(redraws.length).toBeGreaterThan(5);
    // The only escape code is the erase-line of those redraws (NO_COLOR: no colour).
    // eslint-disable-next-line no-control-regex
    expect(output.replace(/\x1b\[K/g, "")).not.toMatch(/\x1b/);
    // The terminal turns \n into \r\n. What the screen shows: the bar's last state on one line of its own.
    const screen = renderTerminal(output.replace(/\r\n/g, "\n"));
    const bars = screen.lines.map((line, i) => ({ line, widest: screen.widest[i]! })).filter((l) => l.line.startsWith("applying ["));
    expect(bars).toHaveLength(1);
    expect(bars[0]!.line).toMatch(/^applying \[#{30}\] (\d+)\/\1 .* completed$/);
    // Never wider than the terminal (a wrapped bar is redrawn on its second row only). Key URIs may be: they are not cut.
    expect(bars[0]!.widest).toBeLessThan(80);
    // While the mailboxes are assigned the bar counts them (one step, many requests).
    expect(output).toMatch(/EU_tty \d+\/50 mailboxes/);
    expect(screen.lines).toContainEqual(expect.stringMatching(/^\d+ step\(s\) changed something, \d+ already done\.$/));
  }, 180_000);

  it("through a pipe (the same configuration again, every step already done): plain lines, no carriage return, no escape code", async () => {
    // In this process, with stdout as the executable sets it (bin.ts) when it is a pipe: a stream that is not a TTY.
    const stdout: string[] = [];
    const io = { out: (line: string) => stdout.push(`${line}\n`), err: () => {} };
    const pipe = { write: (text: string) => stdout.push(text), isTTY: false };
    const code = await run(["apply", "--config", join(dir, "tty.json"), "--state", state, "--journal", join(dir, "pipe.journal.json")], { io, progress: pipe });
    expect(code).toBe(0);
    const text = stdout.join("");
    expect(text).not.toContain("\r");
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\x1b/);
    const bars = text.split("\n").filter((l) => l.startsWith("applying ["));
    expect(bars.length).toBeGreaterThan(1);
    expect(bars.length).toBeLessThanOrEqual(11);
    expect(bars.at(-1)).toMatch(/^applying \[#{30}\] (\d+)\/\1 /);
    expect(text).toContain("applying: completed\n0 step(s) changed something");
    expect(Math.max(...bars.map((l) => l.length))).toBeLessThan(100);
  });
});
