import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSecretCredential } from "@azure/identity";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { MICROSOFT_365_APPS } from "../../src/emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

describe("emulated Entra ID", () => {
  it("issues a client-credentials token through ClientSecretCredential", async () => {
    const credential = emulator.credentialFor(MICROSOFT_365_APPS.exchangeOnline.appId);
    const token = await credential.getToken("https://vault.localhost/.default");
    expect(token?.token).toBeTruthy();
    const claims = claimsOf(token!.token);
    expect(claims).toMatchObject({
      aud: "https://vault.localhost",
      tid: emulator.tenantId,
      appid: MICROSOFT_365_APPS.exchangeOnline.appId,
      idtyp: "app",
    });
    expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
  });

  it("issues a user token for the seeded admin", async () => {
    const token = await emulator.credentialFor(emulator.admin.userPrincipalName).getToken("https://management.azure.com/.default");
    expect(claimsOf(token!.token)).toMatchObject({ oid: emulator.admin.objectId, upn: emulator.admin.userPrincipalName, idtyp: "user" });
  });

  it("refuses a wrong secret with the AADSTS error body", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "wrong-secret" });
    const credential = new ClientSecretCredential(emulator.tenantId, sp.appId, "not-the-secret", emulator.credentialOptions());
    await expect(credential.getToken("https://vault.localhost/.default")).rejects.toThrow(/AADSTS7000215/);
    const last = emulator.requests.list({ service: "identity", operation: "Token" }).at(-1);
    expect(last?.status).toBe(401);
  });
});
