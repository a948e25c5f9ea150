/** Runs the CLI in this process (as `main`) or as a child process (`node --import tsx src/cli/bin.ts`). */
import { execFile } from "node:child_process";
import { main } from "../../src/cli/index.js";

export async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

export function cliChild(argv: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/bin.ts", ...argv],
      { timeout: options.timeoutMs ?? 60_000, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
