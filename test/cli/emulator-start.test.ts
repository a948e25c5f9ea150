import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { emulatorLookup, MICROSOFT_365_APPS } from "../../src/emulator/index.js";

describe("customer-key emulator start", () => {
  it("runs the emulator as a process that another process can use, until stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ck-cli-"));
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/index.ts", "emulator", "start", "--state", join(dir, "state.json")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const info = await new Promise<Record<string, any>>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        try {
          resolve(JSON.parse(output));
        } catch {
          // not complete yet
        }
      });
      child.once("exit", (code) => reject(new Error(`emulator exited early with ${code}`)));
      setTimeout(() => reject(new Error("emulator did not print its endpoints")), 30_000);
    });
    try {
      expect(info.tenantId).toMatch(/^[0-9a-f-]{36}$/);
      expect(info.subscriptions).toHaveLength(2);
      // The seeded credentials are printed on purpose, and the JSON says they are emulator-only.
      expect(info.credentialsNote).toMatch(/emulator-only credentials/);
      expect(info.admin.password).toBeTruthy();
      const exchange = info.servicePrincipals.find((sp: any) => sp.appId === MICROSOFT_365_APPS.exchangeOnline.appId);
      const agent = new Agent({ ca: readFileSync(info.caCertificateFile, "utf8"), lookup: emulatorLookup as never });
      const credential = new ClientSecretCredential(info.tenantId, exchange.appId, exchange.clientSecret, {
        authorityHost: info.endpoints.authorityHost,
        disableInstanceDiscovery: true,
        agent,
      });
      const token = await credential.getToken("https://vault.localhost/.default");
      expect(token?.token).toBeTruthy();
      agent.destroy();
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
  });
});
