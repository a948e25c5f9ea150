import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { arm, rawRequest } from "../conformance/helpers/raw.js";
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

  it("keeps tokens, secrets and passwords out of the request log and out of error bodies", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "log-check" });
    const user = emulator.directory.createUser({ userPrincipalName: "log-check" });
    const spToken = (await emulator.credentialFor(sp.appId).getToken("https://management.azure.com/.default"))!.token;
    const userToken = (await emulator.credentialFor(user.userPrincipalName).getToken("https://vault.localhost/.default"))!.token;
    // A wrong password and a wrong secret: the AADSTS bodies must not quote what was sent.
    const wrongPassword = `${user.password}-wrong`;
    const wrongSecret = `${sp.secrets[0]}-wrong`;
    const userCredential = new UsernamePasswordCredential(emulator.tenantId, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", user.userPrincipalName, wrongPassword, emulator.credentialOptions());
    const refusedUser = await userCredential.getToken("https://vault.localhost/.default").catch((e: Error) => e);
    const refusedSp = await new ClientSecretCredential(emulator.tenantId, sp.appId, wrongSecret, emulator.credentialOptions()).getToken("https://vault.localhost/.default").catch((e: Error) => e);
    // A token sent to the wrong service: the 401 names the audience, never the token.
    const wrongAudience = await arm(emulator, userToken, "GET", "/subscriptions?api-version=2022-12-01");
    expect(wrongAudience.status).toBe(401);
    const vaultRefusal = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.vaultUrl("nowhere")}/keys?api-version=7.6`, token: spToken });
    const everything = [JSON.stringify(emulator.requests.list()), String(refusedUser), String(refusedSp), wrongAudience.text, vaultRefusal.text].join("\n");
    for (const secret of [sp.secrets[0]!, user.password, wrongPassword, wrongSecret, spToken, userToken, spToken.split(".")[2]!]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("refuses a disabled principal at the token endpoint and at every service, even with a token issued before", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "to-disable" });
    const token = (await emulator.credentialFor(sp.appId).getToken("https://management.azure.com/.default"))!.token;
    expect((await arm(emulator, token, "GET", "/subscriptions?api-version=2022-12-01")).status).toBe(200);
    sp.accountEnabled = false;
    await expect(new ClientSecretCredential(emulator.tenantId, sp.appId, sp.secrets[0]!, emulator.credentialOptions()).getToken("https://vault.localhost/.default")).rejects.toThrow(/AADSTS7000112/);
    const refused = await arm(emulator, token, "GET", "/subscriptions?api-version=2022-12-01");
    expect([refused.status, refused.body.error.code]).toEqual([401, "InvalidAuthenticationToken"]);
  });
});
