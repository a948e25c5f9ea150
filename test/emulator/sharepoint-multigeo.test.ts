import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { rawRequest, tokenFor } from "../conformance/helpers/raw.js";
import { callSite, customerKeyVaults, sharePointToken } from "./helpers/sharepoint.js";

const dir = mkdtempSync(join(tmpdir(), "ck-sharepoint-"));
const running: Emulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  return emulator;
}

async function rootSites(emulator: Emulator, path: string) {
  const token = await tokenFor(emulator, emulator.admin.userPrincipalName, "https://graph.microsoft.com/.default");
  return rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.graph}${path}`, token });
}

describe("emulated SharePoint Online: geos, Graph discovery and persistence", () => {
  it("lists the single geo's root site with an empty dataLocationCode", async () => {
    const emulator = await start({});
    expect(emulator.sharePoint.dataLocations).toEqual([]);
    const answer = await rootSites(emulator, "/v1.0/sites?filter=siteCollection/root ne null&select=webUrl,siteCollection");
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([
      { webUrl: `https://contoso.sharepoint.localhost:${emulator.endpoints.port}`, siteCollection: { hostname: "contoso.sharepoint.localhost", dataLocationCode: "", root: {} } },
    ]);
  });

  it("serves one admin host per geo, each with its own state, and lists every geo's root site through Graph", async () => {
    const emulator = await start({ geos: ["NAM", "eur"] });
    expect(emulator.sharePoint.dataLocations).toEqual(["NAM", "EUR"]);
    const nam = emulator.sharePoint.adminSiteUrl();
    const eur = emulator.sharePoint.adminSiteUrl("EUR");
    expect(nam).toBe(emulator.endpoints.sharePointAdmin);
    expect(new URL(eur).hostname).toBe("contosoeur-admin.sharepoint.localhost");

    for (const path of ["/v1.0/sites?$filter=siteCollection/root%20ne%20null", "/beta/sites?filter=siteCollection/root ne null&$select=webUrl,siteCollection"]) {
      const answer = await rootSites(emulator, path);
      expect(answer.status).toBe(200);
      expect(answer.body.value.map((s: { webUrl: string; siteCollection: { dataLocationCode: string } }) => [s.webUrl, s.siteCollection.dataLocationCode])).toEqual([
        [`https://contoso.sharepoint.localhost:${emulator.endpoints.port}`, "NAM"],
        [`https://contosoeur.sharepoint.localhost:${emulator.endpoints.port}`, "EUR"],
      ]);
    }
    const unsupported = await rootSites(emulator, "/v1.0/sites?$filter=displayName eq 'x'");
    expect(unsupported.status).toBe(400);

    // The EUR geo registers its own keys; NAM stays Unregistered.
    const token = await sharePointToken(emulator, emulator.admin.userPrincipalName, eur);
    const keys = await customerKeyVaults(emulator, "speur");
    const registered = await callSite(emulator, eur, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.secondary.keyId } } },
    });
    expect(registered.body.Status).toBe(1);
    expect(emulator.sharePoint.tenantStatus("EUR").status).toBe("Registering");
    expect(emulator.sharePoint.tenantStatus().status).toBe("Unregistered");
    const eurSite = emulator.sharePoint.sites("EUR")[1]!;
    expect(eurSite.url).toBe(`https://contosoeur.sharepoint.localhost:${emulator.endpoints.port}/sites/hr`);
    emulator.clock.advance({ hours: 4 });
    const site = await callSite(emulator, eurSite.url, "GetBringYourOwnKeySiteStatus", { token });
    expect(site.body).toMatchObject({ Status: 2, PrimaryKeyVaultUri: keys.primary.keyId });
    await expect(startEmulator({ geos: ["XYZ"] })).rejects.toThrow(/data location code/);
  });

  it("serves Graph's getAllSites to an application only, every geo's sites in pages with @odata.nextLink", async () => {
    const emulator = await start({ geos: ["NAM", "EUR"] });
    emulator.sharePoint.createSite({ name: "projects", geo: "EUR" });
    // A user, even Global Administrator: Graph's documented 403 for delegated callers.
    const denied = await rootSites(emulator, "/v1.0/sites/getAllSites");
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "accessDenied", message: "Access denied" });
    const app = emulator.directory.createServicePrincipal({ displayName: "ck-sites" });
    emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    const appToken = await tokenFor(emulator, app.appId, "https://graph.microsoft.com/.default");
    const seen: [string, string][] = [];
    let url: string | undefined = `${emulator.endpoints.graph}/v1.0/sites/getAllSites?$select=webUrl,siteCollection&$top=3`;
    let pages = 0;
    while (url) {
      const page = await rawRequest(emulator, { method: "GET", url, token: appToken });
      expect(page.status).toBe(200);
      for (const site of page.body.value as { webUrl: string; siteCollection: { dataLocationCode: string } }[]) seen.push([site.webUrl, site.siteCollection.dataLocationCode]);
      url = page.body["@odata.nextLink"];
      pages++;
    }
    const all = emulator.sharePoint.sites();
    expect(seen).toEqual(all.map((site) => [site.url, site.dataLocationCode]));
    expect(pages).toBe(Math.ceil(all.length / 3));
  });

  it("keeps geos, keys, operations in progress and sites across a restart on the same state file", async () => {
    const stateFile = join(dir, "state.json");
    const first = await start({ stateFile, geos: ["EUR", "APC"] });
    first.sharePoint.setBehaviour({ registrationDurationMs: 2 * 3_600_000 });
    const created = first.sharePoint.createSite({ name: "board", geo: "APC" });
    const keys = await customerKeyVaults(first, "sppersist");
    const token = await sharePointToken(first, first.admin.userPrincipalName, first.endpoints.sharePointAdmin);
    const started = await callSite(first, first.endpoints.sharePointAdmin, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.secondary.keyId } } },
    });
    expect(started.body.Status).toBe(1);
    first.clock.advance({ hours: 1 });
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const second = await start({ stateFile, geos: ["NAM"] });
    expect(second.sharePoint.dataLocations).toEqual(["EUR", "APC"]);
    expect(second.sharePoint.behaviour().registrationDurationMs).toBe(2 * 3_600_000);
    expect(second.sharePoint.sites("APC").map((s) => s.id)).toContain(created.id);
    const resumed = second.sharePoint.tenantStatus();
    expect(resumed).toMatchObject({ status: "Registering", primaryKeyVaultUri: keys.primary.keyId });
    // Half of the 2 hours passed on the clock (plus the wall time the restart took).
    expect(resumed.registrationProgress).toBeGreaterThanOrEqual(50);
    expect(resumed.registrationProgress).toBeLessThan(51);
    second.clock.advance({ hours: 1 });
    const token2 = await sharePointToken(second, second.admin.userPrincipalName, second.endpoints.sharePointAdmin);
    const done = await callSite(second, second.endpoints.sharePointAdmin, "GetBringYourOwnKeyTenantStatus", { token: token2 });
    expect(done.body).toMatchObject({ Status: 2, RegistrationProgress: 100, SecondaryKeyVaultUri: keys.secondary.keyId });
    expect(second.snapshot().sharePoint.geos.map((g) => g.label)).toEqual(["contoso", "contosoapc"]);
  });

  it("reports an availability key given at registration, and starts a site made mid-registration under the current keys", async () => {
    const emulator = await start({});
    const keys = await customerKeyVaults(emulator, "spavail");
    const third = await customerKeyVaults(emulator, "spavail3");
    const admin = emulator.endpoints.sharePointAdmin;
    const token = await sharePointToken(emulator, emulator.admin.userPrincipalName, admin);
    const started = await callSite(emulator, admin, "OnboardTenantForBringYourOwnKey", {
      token,
      body: { keyInfo: { PrimaryKeyVault: { Uri: keys.primary.keyId }, SecondaryKeyVault: { Uri: keys.secondary.keyId }, AvailabilityKeyVault: { Uri: third.primary.keyId } } },
    });
    expect(started.body).toMatchObject({ Status: 1, AvailabilityKeyVaultUri: third.primary.keyId });
    const late = emulator.sharePoint.createSite({ name: "late" });
    expect(emulator.sharePoint.siteStatus(late.url)).toMatchObject({ status: "Registered", registrationProgress: 100 });
    expect(emulator.sharePoint.siteStatus(emulator.sharePoint.sites()[3]!.url)).toMatchObject({ status: "Registering", registrationProgress: 0 });
    const root = await rootSites(emulator, "/v1.0/sites/root?select=webUrl");
    expect(root.body).toMatchObject({ webUrl: `https://contoso.sharepoint.localhost:${emulator.endpoints.port}` });
  });
});
