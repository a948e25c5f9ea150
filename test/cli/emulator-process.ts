/** Helpers for tests that run `customer-key emulator start` as a process of its own. */
import { execFileSync, type ChildProcess } from "node:child_process";
import { connect } from "node:net";

/** Resolves with the JSON the emulator prints on stdout once it is complete. */
export function readStartupJson(child: ChildProcess, timeoutMs = 30_000): Promise<Record<string, any>> {
  let output = "";
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not print its endpoints. stderr: ${errors}`)), timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      try {
        const json = JSON.parse(output.slice(output.indexOf("{")));
        clearTimeout(timer);
        resolve(json);
      } catch {
        // not complete yet
      }
    });
    child.once("exit", (code, signal) => reject(new Error(`emulator exited early (${code ?? signal}). stderr: ${errors}`)));
  });
}

/** The process and all its descendants, from ps. */
export function processTree(rootPid: number): number[] {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of rows) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** True when nothing accepts connections on 127.0.0.1:port. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
