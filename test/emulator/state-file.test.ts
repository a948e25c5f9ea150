import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmulator, MICROSOFT_365_APPS } from "../../src/emulator/index.js";

describe("emulator state file", () => {
  it("starts again from the file with everything in it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const first = await startEmulator({ stateFile });
    const app = first.directory.createServicePrincipal({ displayName: "automation" });
    const sub = first.createSubscription({ displayName: "Third", owner: app.appId });
    first.clock.advance({ days: 3 });
    const firstToken = await first.credentialFor(app.appId).getToken("https://vault.localhost/.default");
    expect(firstToken?.token).toBeTruthy();
    const expectedTime = first.clock.nowMs();
    await first.stop();

    const second = await startEmulator({ stateFile });
    try {
      expect(second.tenantId).toBe(first.tenantId);
      expect(second.caCertificate).toBe(first.caCertificate);
      expect(second.directory.findServicePrincipal(app.appId)?.objectId).toBe(app.objectId);
      expect(second.snapshot().arm.subscriptions[sub.subscriptionId]?.displayName).toBe("Third");
      // The emulated clock keeps its offset across restarts.
      expect(Math.abs(second.clock.nowMs() - expectedTime)).toBeLessThan(60_000);
      const token = await second.credentialFor(app.appId).getToken("https://vault.localhost/.default");
      expect(token?.token).toBeTruthy();
    } finally {
      await second.stop();
    }
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("ignores a torn write: a crash mid-write leaves the previous state intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const first = await startEmulator({ stateFile });
    const tenantId = first.tenantId;
    await first.stop();
    const good = readFileSync(stateFile, "utf8");
    // A writer that died after writing half of its temporary file (the rename never happened).
    writeFileSync(`${stateFile}.99999.tmp`, good.slice(0, good.length / 2));
    const second = await startEmulator({ stateFile });
    try {
      expect(second.tenantId).toBe(tenantId);
      expect(second.directory.findServicePrincipal(MICROSOFT_365_APPS.exchangeOnline.appId)).toBeDefined();
    } finally {
      await second.stop();
    }
  });

  it("refuses a file that is not an emulator state file instead of overwriting it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    writeFileSync(stateFile, JSON.stringify({ something: "else" }));
    await expect(startEmulator({ stateFile })).rejects.toThrow(/not a customer-key emulator state file/);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ something: "else" });
  });
});
