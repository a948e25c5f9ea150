/** Runs the example scripts in-process against their own emulators. */
import { describe, expect, it } from "vitest";
import { main as quickstart } from "../examples/emulator-quickstart.js";
import { main as envelope } from "../examples/envelope.js";
import { main as setupAndValidate } from "../examples/setup-and-validate.js";

describe("examples", () => {
  it("setup-and-validate ends with a ready report and two versioned key URIs", async () => {
    const lines: string[] = [];
    const result = await setupAndValidate({ log: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(result.keyUris).toHaveLength(2);
    for (const uri of result.keyUris) expect(uri).toMatch(/^https:\/\/.+\/keys\/exo-root\/[0-9a-f]{32}$/);
    const output = lines.join("\n");
    expect(output).toContain("**Result: ready**");
    expect(output).toMatch(/five business days/);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("envelope seals, opens with either key and rewraps", async () => {
    const lines: string[] = [];
    expect(await envelope({ log: (line) => lines.push(line) })).toEqual({ ok: true });
    expect(lines.at(-1)).toBe("Round trip OK.");
  });

  it("emulator-quickstart wraps a data key with the real Azure clients", async () => {
    const result = await quickstart({ log: () => {} });
    expect(result.ok).toBe(true);
    expect(result.kid).toMatch(/\/keys\/quickstart-key\/[0-9a-f]{32}$/);
  });
});
