import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Journal, writeFileAtomic } from "../../src/onboarding/journal.js";

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), "ck-journal-"))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("the onboarding journal", () => {
  it("is replaced atomically: a reader sees the old or the new journal, never part of one, and no temporary file stays", async () => {
    const file = path.join(dir, "journal.json");
    const big = (n: number) => JSON.stringify({ n, pad: "x".repeat(200_000 + n) });
    await writeFileAtomic(file, big(0));
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(file, "utf8");
        expect(() => JSON.parse(text)).not.toThrow();
        reads += 1;
      }
    })();
    for (let i = 1; i <= 40; i += 1) await writeFileAtomic(file, big(i));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((JSON.parse(await readFile(file, "utf8")) as { n: number }).n).toBe(40);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("records finished steps and key ids, and reopens them for the same configuration only", async () => {
    const file = path.join(dir, "j2.json");
    const journal = await Journal.open(file, "fp-1");
    await journal.begin("keys/exchange/primary");
    await journal.recordKey("exchange/primary", "https://v.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef");
    await journal.finish("keys/exchange/primary");
    const again = await Journal.open(file, "fp-1");
    expect(again.isDone("keys/exchange/primary")).toBe(true);
    expect(again.data.keys["exchange/primary"]).toMatch(/\/keys\/k\//);
    await expect(Journal.open(file, "fp-2")).rejects.toMatchObject({ code: "ERR_JOURNAL_INVALID" });
  });
});
