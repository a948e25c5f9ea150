import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { rawRequest } from "../conformance/helpers/raw.js";
import { callSite, sharePointToken } from "./helpers/sharepoint.js";

const UNAUTHORIZED = "-2147024891, System.UnauthorizedAccessException";

let emulator: Emulator;
let admin: string;
beforeAll(async () => {
  emulator = await startEmulator();
  admin = emulator.endpoints.sharePointAdmin;
});
afterEach(() => {
  emulator.throttle.set("sharepoint", undefined);
  emulator.faults.clear();
});
afterAll(() => emulator?.stop());

describe("emulated SharePoint Online: who may call, and how it refuses", () => {
  it("refuses a user without SharePoint Administrator with 403 UnauthorizedAccessException, and lets them in once assigned", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "sp-operator" });
    const token = await sharePointToken(emulator, user.userPrincipalName, admin);
    const refused = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      "odata.error": { code: UNAUTHORIZED, message: { lang: "en-US", value: "Access denied. You do not have permission to perform this action or access this resource." } },
    });
    const verbose = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token, odata: "verbose" });
    expect(verbose.body.error.code).toBe(UNAUTHORIZED);

    emulator.directory.assignDirectoryRole(user.objectId, "Exchange Administrator");
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(403);
    emulator.directory.assignDirectoryRole(user.objectId, "SharePoint Administrator");
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(200);
    emulator.directory.removeDirectoryRole(user.objectId, "SharePoint Administrator");
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(403);
  });

  it("accepts an app-only caller holding SharePoint Administrator", async () => {
    const app = emulator.directory.createServicePrincipal({ displayName: "ck-automation" });
    const token = await sharePointToken(emulator, app.appId, admin);
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyRecoveryKeyMode", { token })).status).toBe(403);
    emulator.directory.assignDirectoryRole(app.objectId, "SharePoint Administrator");
    const ok = await callSite(emulator, admin, "GetBringYourOwnKeyRecoveryKeyMode", { token });
    expect(ok.body).toEqual({ "odata.metadata": `${admin}/_api/$metadata#Edm.Int32`, value: 0 });
  });

  it("lets a Global Reader read the status, never register", async () => {
    const app = emulator.directory.createServicePrincipal({ displayName: "ck-reader" });
    emulator.directory.assignDirectoryRole(app.objectId, "Global Reader");
    const token = await sharePointToken(emulator, app.appId, admin);
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(200);
    expect((await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", { token, body: { keyInfo: {} } })).status).toBe(403);
  });

  it("accepts tokens for the admin site in its sharepoint.com and emulator forms, refuses other audiences and no token with 401 and a bearer challenge", async () => {
    const upn = emulator.admin.userPrincipalName;
    for (const resource of [admin, "https://contoso-admin.sharepoint.com", "https://contoso.sharepoint.com"]) {
      const token = await sharePointToken(emulator, upn, resource);
      expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(200);
    }
    const graphToken = await sharePointToken(emulator, upn, "https://graph.microsoft.com");
    const wrongAudience = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token: graphToken });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body["odata.error"].code).toBe(UNAUTHORIZED);
    expect(wrongAudience.headers["www-authenticate"]).toMatch(/^Bearer realm="[0-9a-f-]{36}",client_id="00000003-0000-0ff1-ce00-000000000000"/);
    // A satellite geo this tenant does not have.
    const otherGeo = await sharePointToken(emulator, upn, "https://contosoeur-admin.sharepoint.com");
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token: otherGeo })).status).toBe(401);
    const anonymous = await rawRequest(emulator, { method: "POST", url: `${admin}/_api/site/GetBringYourOwnKeyTenantStatus`, headers: { accept: "application/json" } });
    expect(anonymous.status).toBe(401);
  });

  it("answers tenant methods only on the admin site, and 404 for unknown sites and tenants", async () => {
    const token = await sharePointToken(emulator, emulator.admin.userPrincipalName, admin);
    const root = emulator.sharePoint.sites()[0]!.url;
    const onSite = await callSite(emulator, root, "GetBringYourOwnKeyTenantStatus", { token });
    expect(onSite.status).toBe(500);
    expect(onSite.body["odata.error"].message.value).toMatch(/tenant administration site/);
    const missingSite = await callSite(emulator, `${root}/sites/nope`, "GetBringYourOwnKeySiteStatus", { token });
    expect(missingSite.status).toBe(404);
    expect(missingSite.body["odata.error"].code).toBe("-2147024894, System.IO.FileNotFoundException");
    const otherTenant = await callSite(emulator, admin.replace("contoso-admin", "fabrikam-admin"), "GetBringYourOwnKeyTenantStatus", { token });
    expect(otherTenant.status).toBe(404);
    const unknownMethod = await callSite(emulator, admin, "GetBringYourOwnKeyEverything", { token });
    expect(unknownMethod.status).toBe(404);
    expect(unknownMethod.body["odata.error"]).toBeDefined();
  });

  it("throttles per tenant with 429 and Retry-After in SharePoint's error shape", async () => {
    const token = await sharePointToken(emulator, emulator.admin.userPrincipalName, admin);
    emulator.throttle.set("sharepoint", { requestsPerSecond: 0.1, burst: 2 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(Number(answers[2]!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(answers[2]!.body["odata.error"].code).toBe("-2146232832, Microsoft.SharePoint.SPRequestLimitExceededException");
    emulator.throttle.set("sharepoint", undefined);
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(200);
  });

  it("applies injected faults to the service", async () => {
    const token = await sharePointToken(emulator, emulator.admin.userPrincipalName, admin);
    emulator.faults.inject({ service: "sharepoint", status: 503, retryAfterSeconds: 2, count: 1 });
    const failed = await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token });
    expect(failed.status).toBe(503);
    expect(failed.headers["retry-after"]).toBe("2");
    expect(failed.body["odata.error"].code).toBe("-2146232832, Microsoft.SharePoint.SPException");
    expect((await callSite(emulator, admin, "GetBringYourOwnKeyTenantStatus", { token })).status).toBe(200);
  });
});
