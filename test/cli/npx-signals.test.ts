/**
 * `npx customer-key emulator start` makes the tree npm → sh -c → node. npm passes SIGINT/SIGTERM
 * to the shell only; the emulator must still stop, leaving no process and no open port.
 * The bin is installed into a scratch project the way npm links it (node_modules/.bin), as a
 * launcher that runs the CLI from source in-process (tsx's loader registered, no extra process).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isAlive, portClosed, processTree, readStartupJson, waitUntil } from "./emulator-process.js";

function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "ck-npx-"));
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  const tsxApi = createRequire(resolve("package.json")).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs");
  const launcher = join(dir, "customer-key.mjs");
  writeFileSync(
    launcher,
    [
      "#!/usr/bin/env node",
      `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)};`,
      "register();",
      `await import(${JSON.stringify(pathToFileURL(resolve("src/cli/bin.ts")).href)});`,
    ].join("\n"),
  );
  chmodSync(launcher, 0o755);
  symlinkSync("../../customer-key.mjs", join(dir, "node_modules", ".bin", "customer-key"));
  return dir;
}

async function startThroughNpx() {
  const cwd = scratchProject();
  // detached: its own process group, as a terminal gives a foreground job.
  const npx = spawn("npx", ["--no", "customer-key", "emulator", "start", "--state", join(cwd, "state.json")], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  const info = await readStartupJson(npx, 60_000);
  const tree = processTree(npx.pid!);
  const exited = new Promise<void>((resolve) => npx.once("exit", () => resolve()));
  return { npx, info, tree, exited };
}

describe.skipIf(process.platform === "win32")("started through npx", () => {
  it.each([
    ["SIGTERM to npx (kill <pid>, a service manager)", "SIGTERM" as const, "pid" as const],
    ["SIGINT to its process group (Ctrl-C)", "SIGINT" as const, "group" as const],
    ["SIGTERM to its process group", "SIGTERM" as const, "group" as const],
  ])("%s stops the whole tree and closes the port", async (_name, signal, target) => {
    const { npx, info, tree, exited } = await startThroughNpx();
    try {
      // npm, its shell and the emulator's node, which is the pid it prints.
      expect(tree.length).toBeGreaterThanOrEqual(3);
      expect(tree).toContain(info.pid);
      const port = Number(new URL(info.endpoints.resourceManager).port);
      expect(await portClosed(port)).toBe(false);

      process.kill(target === "group" ? -npx.pid! : npx.pid!, signal);
      await exited;
      const gone = await waitUntil(() => tree.every((pid) => !isAlive(pid)), 10_000);
      expect(tree.filter(isAlive)).toEqual([]);
      expect(gone).toBe(true);
      expect(await portClosed(port)).toBe(true);
    } finally {
      for (const pid of tree) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 90_000);
});
