/** The README's emulator snippet, run as written (only the package imports point at the sources). */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** The first `ts` block under a README heading. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(resolve(root, "README.md"), "utf8");
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no heading '${heading}'.`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`No ts block under '${heading}'.`);
  return block[1]!;
}

describe("README: The emulator in your own tests", () => {
  it("runs as written: seeds a vault and key, reads the key URI through CustomerKeyClient, wraps, deletes, stops", async () => {
    const code = readmeBlock("### The emulator in your own tests")
      .replace(`from "customer-key/emulator"`, `from ${JSON.stringify(resolve(root, "src/emulator/index.ts"))}`)
      .replace(`from "customer-key"`, `from ${JSON.stringify(resolve(root, "src/index.ts"))}`);
    expect(code).not.toMatch(/from "customer-key/);
    const file = resolve(root, "test/emulator", `.readme-emulator-${process.pid}.ts`);
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    writeFileSync(file, code);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      log.mockRestore();
      rmSync(file, { force: true });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^https:\/\/myvault\.vault\.localhost:\d+\/keys\/cmk\/[0-9a-f]{32}$/);
  });
});
