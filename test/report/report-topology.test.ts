/** report.topology from a real validate() against the emulator: what the picture of toHtml() is drawn from. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScenario, type Scenario } from "../../examples/shared-setup.js";

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
  });
});
