import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cli } from "./cli-harness.js";

describe("customer-key demo", () => {
  it("onboards the sample tenant end to end, rolls a key per workload and exits 0 (fewer mailboxes)", async () => {
    const result = await cli("demo", "--mailboxes", "25");
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const out = result.out;
    for (const step of ["1. Do-Not-Cancel", "2. Vault pairs", "3. Exchange data encryption policy, assigned to 25 mailboxes", "4. SharePoint", "5. Multi-workload", "6. Yearly key roll", "7. Preflight report", "8. Encryption status"]) {
      expect(out).toContain(step);
    }
    expect(out).toContain("assigning [##############################] 25/25");
    expect(out).toContain("[emulator clock]");
    expect(out).toContain("Mailboxes encrypted under EU_mailboxes: 25 of 25");
    expect(out.match(/Result: ready\./g)).toHaveLength(3);
    expect(out).not.toContain("FAIL");
    // Each workload's primary key now has two versions; the secondaries one.
    expect(out.match(/2 version\(s\)/g)).toHaveLength(3);
    expect(Math.max(...out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it("Ctrl-C (SIGINT) during the demo stops it with exit code 130", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "demo", "--mailboxes", "3000"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes("assigning [")) resolve();
      }),
    );
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("Interrupted");
    expect(stderr).toContain("ERR_ABORTED");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
