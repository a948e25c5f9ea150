/** report.topology from a real validate() against the emulator: what the picture of toHtml() is drawn from. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { BUILT_IN_ROLES } from "../../src/emulator/index.js";

let s: Scenario;
beforeAll(async () => {
  s = await startScenario();
  await s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: s.keyUris });
  const boxes = s.emulator.exchange.listMailboxes({ offset: 0, limit: 2 });
  for (const box of boxes) await s.client.policies.exchange.assign(box.userPrincipalName, "EU_mailboxes");
}, 120_000);
afterAll(async () => s?.stop());

const versionOf = (uri: string) => uri.split("/").at(-1)!;

describe("report.topology", () => {
  it("holds the subscriptions, the vaults with their regions and key versions, and no policies without microsoft365", async () => {
    const report = await s.client.validate(s.spec);
    const t = report.topology!;
    expect(t.tenantId).toBe(s.emulator.tenantId);
    expect(t.subscriptions.map((x) => x.subscriptionId)).toEqual([s.primary.subscriptionId, s.secondary.subscriptionId]);
    expect(t.subscriptions.every((x) => x.state === "Enabled" && typeof x.displayName === "string")).toBe(true);
    expect(t.vaults.map((v) => [v.member, v.vaultName, v.location])).toEqual([
      ["primary", s.primary.vaultName, "westeurope"],
      ["secondary", s.secondary.vaultName, "swedencentral"],
    ]);
    expect(t.vaults.map((v) => v.keys)).toEqual(s.keyUris.map((u) => [{ name: "exo-root", versions: [versionOf(u)] }]));
    expect(t).not.toHaveProperty("policies");
    expect(JSON.stringify(report.toJSON())).not.toMatch(/"(n|e|d|k)":/); // no key material (JWK fields) in the JSON
  });

  it("with microsoft365: the policies with their key URIs, mailbox counts and SharePoint geos", async () => {
    const t = (await s.client.validate(s.spec, { microsoft365: true })).topology!;
    const exchange = t.policies!.filter((p) => p.kind === "exchange");
    expect(exchange).toEqual([{ kind: "exchange", name: "EU_mailboxes", keyUris: s.keyUris, mailboxCount: 2 }]);
    expect(t.policies!.filter((p) => p.kind === "sharePoint").map((p) => p.state)).toEqual(["Unregistered"]);
    // The seeded admin is a signed-in user: Graph's getAllSites refuses it, so no site count (rather than a wrong one).
    expect(t.policies!.find((p) => p.kind === "sharePoint")).not.toHaveProperty("siteCount");
  });

  it("with microsoft365 as an application: the SharePoint geo's site count and progress, read by policy.sharePoint.state", async () => {
    const app = s.emulator.directory.createServicePrincipal({ displayName: "ck-topology" });
    s.emulator.directory.assignDirectoryRole(app.objectId, "Global Administrator");
    s.emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    for (const id of s.emulator.subscriptionIds) s.emulator.assignRole({ scope: `/subscriptions/${id}`, roleId: BUILT_IN_ROLES.reader.id, principalId: app.objectId });
    s.emulator.sharePoint.createSite({ name: "topology" });
    const report = await clientFor(s.emulator, app.appId).validate(s.spec, { microsoft365: true });
    const sharePoint = report.topology!.policies!.filter((p) => p.kind === "sharePoint");
    expect(sharePoint).toEqual([{ kind: "sharePoint", name: "SharePoint", keyUris: [], geo: "", state: "Unregistered", progressPercent: 0, siteCount: s.emulator.sharePoint.sites().length }]);
    expect(report.topology!.policies!.find((p) => p.kind === "exchange")).toMatchObject({ name: "EU_mailboxes", mailboxCount: 2 });
    expect(report.find("policy.sharePoint.state")[0]!.evidence).toContain(`${s.emulator.sharePoint.sites().length} sites in this geo`);
  });
});
