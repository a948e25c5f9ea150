/**
 * Fenced code blocks of a Markdown file, for tests that run the README's snippets so that they
 * cannot drift from the code. Blocks are chosen by the heading they stand under (any level, up to
 * the next heading of the same or a higher level) or by a marker comment on their first line
 * (`// readme-test: <name>`), and run as one ES module written under test/.readme-run/ (ignored by
 * git through its own .gitignore, and removed once imported), so that bare imports resolve from the repository's
 * node_modules and vitest transforms the TypeScript.
 *
 * Rewriting a snippet to run it is done with `substitute`, which fails when a text it should
 * replace is missing: a README edit that drops a substituted line fails the test instead of
 * silently running something else.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** One fenced block of the Markdown. */
export interface FencedBlock {
  /** The info string's first word (`ts`, `sh`, …), lower case; "" when none. */
  lang: string;
  /** The block's text, without the fences. */
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Every heading the block stands under, outermost first (`["Usage", "Against Azure"]`). */
  headings: string[];
}

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** Every fenced block (``` or ~~~) of the Markdown text, with the headings above it. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const stack: { level: number; text: string }[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(lines[i]!);
    if (heading) {
      const level = heading[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
      stack.push({ level, text: heading[2]! });
      continue;
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`).test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ lang: open[3]!.toLowerCase(), code: body.join("\n"), line: start + 1, headings: stack.map((h) => h.text) });
  }
  return blocks;
}

const TS = new Set(["ts", "typescript", "js", "javascript", "mjs", "mts"]);

/** The TypeScript/JavaScript blocks standing (directly or deeper) under the heading with this text. */
export function blocksUnder(markdown: string, heading: string, options: { langs?: ReadonlySet<string> } = {}): FencedBlock[] {
  const langs = options.langs ?? TS;
  return fencedBlocks(markdown).filter((b) => langs.has(b.lang) && b.headings.includes(heading));
}

/** The blocks whose first line is the marker comment `// readme-test: <name>` (or `# readme-test: <name>`). */
export function blocksMarked(markdown: string, name: string): FencedBlock[] {
  const marker = new RegExp(`^\\s*(//|#)\\s*readme-test:\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  return fencedBlocks(markdown).filter((b) => marker.test(b.code.split("\n")[0] ?? ""));
}

/** The README of the repository. */
export function readReadme(file = path.join(REPO, "README.md")): string {
  return readFileSync(file, "utf8");
}

/**
 * Replaces each `from` with its `to` (all occurrences); throws when a `from` does not occur, so a
 * substitution cannot silently stop applying.
 */
export function substitute(code: string, replacements: ReadonlyArray<readonly [from: string | RegExp, to: string]>): string {
  let out = code;
  for (const [from, to] of replacements) {
    const found = typeof from === "string" ? out.includes(from) : new RegExp(from.source, from.flags.replace("g", "")).test(out);
    if (!found) throw new Error(`The README snippet no longer contains ${String(from)}: update the test's substitutions with the README.`);
    out = typeof from === "string" ? out.split(from).join(to) : out.replace(new RegExp(from.source, from.flags.includes("g") ? from.flags : `${from.flags}g`), to);
  }
  return out;
}

/** The package's entry points as the README imports them, mapped to the sources. */
export const PACKAGE_IMPORTS: ReadonlyArray<readonly [string, string]> = [
  ['from "customer-key/emulator"', `from ${JSON.stringify(path.join(REPO, "src/emulator/index.ts"))}`],
  ['from "customer-key/envelope"', `from ${JSON.stringify(path.join(REPO, "src/envelope/index.ts"))}`],
  ['from "customer-key"', `from ${JSON.stringify(path.join(REPO, "src/index.ts"))}`],
];

/** Points the README's `customer-key` imports at the sources (only the entry points it uses). */
export function resolvePackageImports(code: string): string {
  let out = code;
  for (const [from, to] of PACKAGE_IMPORTS) out = out.split(from).join(to);
  return out;
}

/**
 * Runs code as an ES module (TypeScript allowed, top-level await allowed) and returns its exports.
 * `name` names the file (test/.readme-run/<name>.ts); give each test its own.
 */
export async function runModule<T = Record<string, unknown>>(code: string, name: string): Promise<T> {
  const dir = path.join(REPO, "test", ".readme-run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, ".gitignore"), "*\n");
  const file = path.join(dir, `${name}-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, `${code}\n`);
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
  } finally {
    // Gone at once, so that `tsc` over test/ never sees it.
    rmSync(file, { force: true });
  }
}
