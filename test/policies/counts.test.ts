/**
 * The count reads against the emulator through the real clients: mailboxes per DEP
 * (policies.exchange.countMailboxesByPolicy, a paged Get-Mailbox through ExchangeRestTransport) and
 * sites per geo (policies.sharePoint.countSites, Graph sites/getAllSites through the Graph client),
 * including paging, mailboxes without a policy, aborts and Graph's refusal of a signed-in user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { CustomerKeyClient, ExchangeRestTransport, type MailboxCountProgress, type SharePointSiteCountProgress } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";

let s: Scenario;
let multiGeo: Emulator;
let app: CustomerKeyClient;

/** A client of an application (service principal) granted `permission`, as getAllSites wants an application with Sites.Read.All. */
function appClient(emulator: Emulator, permission?: "Sites.Read.All" | "Sites.FullControl.All"): CustomerKeyClient {
  const sp = emulator.directory.createServicePrincipal({ displayName: `ck-counts-${Math.random().toString(36).slice(2, 8)}` });
  if (permission) emulator.directory.grantApplicationPermission(sp.objectId, permission);
  return clientFor(emulator, sp.appId);
}

beforeAll(async () => {
  s = await startScenario({ keys: true });
  multiGeo = await startEmulator({ geos: ["NAM", "EUR", "APC"] });
  app = appClient(multiGeo, "Sites.Read.All");
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await multiGeo?.stop();
});

describe("policies.exchange.countMailboxesByPolicy", () => {
  const pagedClient = () =>
    new CustomerKeyClient(s.emulator.credential(), {
      ...s.emulator.customerKeyClientOptions(),
      exchangeTransport: new ExchangeRestTransport({ credential: s.emulator.credential(), tenantId: s.emulator.tenantId, endpoint: s.emulator.endpoints.exchange, pageSize: 40, ...s.emulator.clientOptions() }),
    });

  it("counts every mailbox by its DEP over several pages, unused DEPs as 0 and mailboxes without a policy apart", async () => {
    await s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: s.keyUris });
    await s.client.policies.exchange.create({ name: "Board", keyUris: s.keyUris });
    await s.client.policies.exchange.create({ name: "Unused", keyUris: s.keyUris });
    const boxes = s.emulator.exchange.listMailboxes({ offset: 0, limit: 5 });
    for (const box of boxes.slice(0, 3)) await s.client.policies.exchange.assign(box.userPrincipalName, "EU_mailboxes");
    for (const box of boxes.slice(3)) await s.client.policies.exchange.assign(box.userPrincipalName, "Board");
    const total = s.emulator.exchange.listMailboxes({ offset: 0, limit: 100_000 }).length;
    expect(total).toBeGreaterThan(120); // more than three pages of 40

    const before = s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Get-Mailbox").length;
    const progress: MailboxCountProgress[] = [];
    const counts = await pagedClient().policies.exchange.countMailboxesByPolicy({ onProgress: (p) => progress.push(p) });
    const pages = s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Get-Mailbox").length - before;

    expect(counts).toEqual({ byPolicy: { EU_mailboxes: 3, Board: 2, Unused: 0 }, withoutPolicy: total - 5, total });
    expect(pages).toBe(Math.ceil(total / 40));
    expect(progress.map((p) => p.mailboxesRead)).toEqual(Array.from({ length: pages }, (_, i) => Math.min(total, (i + 1) * 40)));
  });

  it("stops between pages when aborted, with ERR_ABORTED and no further page", async () => {
    const controller = new AbortController();
    const before = s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Get-Mailbox").length;
    await expect(
      pagedClient().policies.exchange.countMailboxesByPolicy({ abortSignal: controller.signal, onProgress: () => controller.abort() }),
    ).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(s.emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Get-Mailbox").length - before).toBe(1);
  });

  it("refuses a progress callback that is not a function before any request", async () => {
    const before = s.emulator.requests.size;
    await expect(s.client.policies.exchange.countMailboxesByPolicy({ onProgress: "x" as never })).rejects.toMatchObject({ code: "ERR_EXCHANGE_PARAMETER_INVALID" });
    expect(s.emulator.requests.size).toBe(before);
  });
});

describe("policies.sharePoint.countSites", () => {
  it("counts the sites of each geo of a Multi-Geo tenant over several pages", async () => {
    multiGeo.sharePoint.createSite({ name: "projects", geo: "EUR" });
    multiGeo.sharePoint.createSite({ name: "archive", geo: "EUR" });
    const expected = ["NAM", "EUR", "APC"].map((geo) => ({ geo, sites: multiGeo.sharePoint.sites(geo).length }));
    const total = expected.reduce((n, g) => n + g.sites, 0);
    const before = multiGeo.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites").length;
    const progress: SharePointSiteCountProgress[] = [];
    const counts = await app.policies.sharePoint.countSites({ pageSize: 5, onProgress: (p) => progress.push(p) });
    expect(counts).toEqual({ geos: expected, total });
    expect(expected.find((g) => g.geo === "EUR")!.sites).toBe(multiGeo.sharePoint.sites("NAM").length + 2);
    const pages = multiGeo.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites").length - before;
    expect(pages).toBe(Math.ceil(total / 5));
    expect(progress.at(-1)).toEqual({ sitesRead: total, pages });
  });

  it("counts a single-geo tenant's sites under the geo \"\"", async () => {
    const counts = await appClient(s.emulator, "Sites.FullControl.All").policies.sharePoint.countSites();
    expect(counts).toEqual({ geos: [{ geo: "", sites: s.emulator.sharePoint.sites().length }], total: s.emulator.sharePoint.sites().length });
  });

  it("is refused for a signed-in user (Graph: application permission only) and for an app without the right, with the fix", async () => {
    await expect(s.client.policies.sharePoint.countSites()).rejects.toMatchObject({ code: "ERR_SERVICE_FORBIDDEN", message: expect.stringMatching(/Sites\.Read\.All application permission/) });
    await expect(appClient(multiGeo).policies.sharePoint.countSites()).rejects.toMatchObject({ code: "ERR_SERVICE_FORBIDDEN" });
    // A directory role is not the permission: a Global Administrator application without Sites.Read.All is refused too.
    const admin = multiGeo.directory.createServicePrincipal({ displayName: "ck-counts-admin" });
    multiGeo.directory.assignDirectoryRole(admin.objectId, "Global Administrator");
    await expect(clientFor(multiGeo, admin.appId).policies.sharePoint.countSites()).rejects.toMatchObject({ code: "ERR_SERVICE_FORBIDDEN" });
  });

  it("stops between pages when aborted", async () => {
    const controller = new AbortController();
    const before = multiGeo.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites").length;
    await expect(app.policies.sharePoint.countSites({ pageSize: 2, abortSignal: controller.signal, onProgress: () => controller.abort() })).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(multiGeo.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites").length - before).toBe(1);
  });

  it("refuses a bad page size before any request", async () => {
    const before = multiGeo.requests.size;
    for (const pageSize of [0, 1000, 2.5]) await expect(app.policies.sharePoint.countSites({ pageSize })).rejects.toMatchObject({ code: "ERR_TRANSPORT_OPTIONS_INVALID" });
    expect(multiGeo.requests.size).toBe(before);
  });
});
