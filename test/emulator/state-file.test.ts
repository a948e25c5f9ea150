import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
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

  it("writes a change made outside a request without waiting for stop()", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const emulator = await startEmulator({ stateFile });
    try {
      const user = emulator.directory.createUser({ userPrincipalName: "written-at-once" });
      emulator.clock.advance({ days: 2 });
      await nextTurn();
      const onDisk = JSON.parse(readFileSync(stateFile, "utf8"));
      expect(onDisk.directory.users.map((u: { objectId: string }) => u.objectId)).toContain(user.objectId);
      expect(onDisk.clockOffsetMs).toBeGreaterThanOrEqual(2 * 86_400_000);
    } finally {
      await emulator.stop();
    }
  });

  it("keeps a change whose write failed pending until a write succeeds, leaving no temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const emulator = await startEmulator({ stateFile });
    try {
      // A non-empty directory where the file should be: the rename fails.
      rmSync(stateFile);
      mkdirSync(join(stateFile, "blocker"), { recursive: true });
      const user = emulator.directory.createUser({ userPrincipalName: "pending" });
      expect(() => emulator.flush()).toThrow();
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      rmSync(stateFile, { recursive: true });
      emulator.flush();
      expect(readFileSync(stateFile, "utf8")).toContain(user.objectId);
    } finally {
      await emulator.stop();
    }
  });

  it("refuses a torn state file without quoting its content (it holds secrets)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const first = await startEmulator({ stateFile });
    const password = first.admin.password;
    await first.stop();
    const good = readFileSync(stateFile, "utf8");
    writeFileSync(stateFile, good.slice(0, good.indexOf(password) + password.length + 5));
    const error = await startEmulator({ stateFile }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/is not a customer-key emulator state file: it is not valid JSON/);
    expect(error?.message).not.toContain(password.slice(0, 8));
  });

  it("redacts passwords, client secrets and private keys from snapshot(), never from the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    const emulator = await startEmulator({ stateFile });
    try {
      const sp = emulator.directory.findServicePrincipal(MICROSOFT_365_APPS.exchangeOnline.appId)!;
      emulator.withLiveState((s) => (s.keyVault.vaults["kv"] = {
        keys: { k: { name: "k", versions: [{ version: "v", kty: "RSA", keyOps: [], privateJwk: { kty: "RSA", n: "n", e: "e", d: "private-d", p: "private-p" }, attributes: { enabled: true, created: 0, updated: 0, exportable: false } }] } },
        deleted: {},
      }));
      const text = JSON.stringify(emulator.snapshot());
      for (const secret of [emulator.admin.password, sp.secrets[0]!, "private-d", "private-p", emulator.withLiveState((s) => s).certificates.leafKey, String(emulator.withLiveState((s) => s).signingKey.privateJwk.d)]) {
        expect(text.includes(secret), "a secret is in the snapshot").toBe(false);
      }
      expect(emulator.snapshot().keyVault.vaults["kv"]?.keys["k"]?.versions[0]?.privateJwk).toEqual({ kty: "RSA", n: "n", e: "e" });
      // The live state (and so the file) keeps them: the emulator still signs in and unwraps.
      expect(emulator.withLiveState((s) => s).directory.users[0]!.password).toBe(emulator.admin.password);
    } finally {
      await emulator.stop();
    }
    expect(readFileSync(stateFile, "utf8").includes('"d":"private-d"')).toBe(true);
  });

  it("refuses a file that is not an emulator state file instead of overwriting it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-state-"));
    const stateFile = join(dir, "state.json");
    writeFileSync(stateFile, JSON.stringify({ something: "else" }));
    await expect(startEmulator({ stateFile })).rejects.toThrow(/not a customer-key emulator state file/);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ something: "else" });
  });
});
