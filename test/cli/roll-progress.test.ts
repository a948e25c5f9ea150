/** The roll's progress lines: one per change a person can see, so a slow SharePoint roll is not hundreds of lines. */
import { describe, expect, it } from "vitest";
import { describeRollState } from "../../src/cli/roll-progress.js";
import type { KeyRollOperationState } from "../../src/index.js";

const state = (progressPercent: number): KeyRollOperationState =>
  ({ status: "running", keyId: "https://v.vault.azure.net/keys/k", step: "update", updatedAt: "", policies: [{ workload: "sharePoint", policy: "", keyType: "primary", status: "updating", progressPercent }] }) as unknown as KeyRollOperationState;

describe("describeRollState", () => {
  it("moves in steps of 5 %: 0.01 % changes do not make new lines", () => {
    const lines = new Set<string>();
    for (let i = 0; i <= 10_000; i++) lines.add(describeRollState(state(i / 100)));
    expect(lines.size).toBe(21);
    expect(describeRollState(state(42.37))).toBe("  update  sharePoint:(tenant)/primary=updating 40%");
    expect(describeRollState(state(100))).toContain("updating 100%");
  });
});
