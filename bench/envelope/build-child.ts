/**
 * Transpiles the envelope core and the RSS child to plain ESM in a temp directory, so the 1 GiB
 * stream is measured in a bare `node` process (the tsx loader alone adds ~30 MiB of RSS).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";

export function buildChild(root: string): string {
  const out = mkdtempSync(join(tmpdir(), "ck-envelope-bench-"));
  const files = [
    "src/errors.ts",
    ...readdirSync(join(root, "src/envelope"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `src/envelope/${f}`),
    "bench/envelope/stream-rss.ts",
  ];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const dest = join(out, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, outputText);
  }
  writeFileSync(join(out, "package.json"), '{"type":"module"}\n');
  return join(out, "bench/envelope/stream-rss.js");
}
