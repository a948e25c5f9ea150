/**
 * Test helper: a `pwsh` stand-in (test/fixtures/pwsh-stand-in/stand-in.mjs) behind a per-test
 * shell shim that sets its behaviour, and a reader of what it recorded (its arguments and
 * environment at start, every raw request line it received).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const STAND_IN = path.resolve("test/fixtures/pwsh-stand-in/stand-in.mjs");

export interface StandInRecord {
  event: "start" | "request";
  pid?: number;
  argv?: string[];
  env?: Record<string, string>;
  raw?: string;
}

export interface StandIn {
  /** The shim to pass as `pwshPath`. */
  pwshPath: string;
  /** A fresh file path in the stand-in's directory (for crash-once / overloaded-once markers). */
  marker(name: string): string;
  /** Everything the stand-in recorded so far. */
  records(): StandInRecord[];
  /** The parsed request lines received so far. */
  requests(): { id: number; op: string; cmdlet: string; parameters: Record<string, unknown> }[];
  /** How many processes were started. */
  starts(): number;
}

const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;

export function standIn(env: { STAND_IN_START?: "ok" | "exit" | "silent" | "refuse" | "protocol2"; STAND_IN_NOISE?: "1" } = {}): StandIn {
  const dir = mkdtempSync(path.join(tmpdir(), "pwsh-stand-in-"));
  const recordFile = path.join(dir, "record.jsonl");
  const pwshPath = path.join(dir, "pwsh");
  const exports = Object.entries({ STAND_IN_RECORD: recordFile, ...env })
    .map(([name, value]) => `export ${name}=${quote(value)}`)
    .join("\n");
  writeFileSync(pwshPath, `#!/bin/sh\n${exports}\nexec ${quote(process.execPath)} ${quote(STAND_IN)} "$@"\n`);
  chmodSync(pwshPath, 0o755);
  const records = (): StandInRecord[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as StandInRecord)
      : [];
  return {
    pwshPath,
    marker: (name) => path.join(dir, name),
    records,
    requests: () => records().filter((r) => r.event === "request").map((r) => JSON.parse(r.raw!)),
    starts: () => records().filter((r) => r.event === "start").length,
  };
}

/** Values that would do harm if they were ever placed in script text. */
export const INJECTION_VALUES = [
  "'; Remove-Mailbox -Identity * #",
  '"; Remove-Mailbox -Identity * #',
  "$(whoami)",
  "${env:PATH}",
  "`",
  "a`nb",
  "line one\nline two\r\nline three",
  "before\u0000after",
  "naïve café ✓ 日本語 😀",
  "@(1,2); & { Remove-Item -Recurse / }",
  "2026-12-04T19:00:00Z",
  "|| rm -rf / ; `whoami`",
  "  leading and trailing spaces  ",
  "",
];
