/**
 * validate(target, { microsoft365: true }) and the `policy.sharePoint.state` check against the
 * emulated multi-geo SharePoint Online: one check per geo, Unregistered / in progress / Registered /
 * recovery with evidence and a fix naming the SDK call and the cmdlet; none without the option.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, type ValidationTarget } from "../../src/index.js";
import { customerKeyVaults } from "../emulator/helpers/sharepoint.js";

const HOUR = 3_600_000;
let emulator: Emulator;
let target: ValidationTarget;
let keys: Awaited<ReturnType<typeof customerKeyVaults>>;

beforeAll(async () => {
  emulator = await startEmulator({ geos: ["NAM", "EUR"] });
  keys = await customerKeyVaults(emulator, "spv");
  target = {
    workload: "sharePoint",
    primary: { subscriptionId: emulator.subscriptionIds[0]!, vaultName: keys.primary.vault, keyName: keys.primary.name },
    secondary: { subscriptionId: emulator.subscriptionIds[1]!, vaultName: keys.secondary.vault, keyName: keys.secondary.name },
  };
});
afterAll(() => emulator?.stop());

function client(): CustomerKeyClient {
  return new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 5, retry: { retryDelayInMs: 5 } });
}

const policyChecks = async (options: { microsoft365?: boolean } = { microsoft365: true }) => (await client().validate(target, options)).checks.filter((c) => c.id === "policy.sharePoint.state");

describe("policy.sharePoint.state", () => {
  it("runs only when Microsoft 365 checks are asked for, one check per geo", async () => {
    expect(await policyChecks({})).toEqual([]);
    const checks = await policyChecks();
    expect(checks.map((c) => [c.target, c.status])).toEqual([
      ["SharePoint Online, geo NAM", "fail"],
      ["SharePoint Online, geo EUR", "fail"],
    ]);
    expect(checks[0]!.evidence).toContain("Unregistered");
    expect(checks[1]!.remediation).toContain(`client.policies.sharePoint.beginRegister({ primaryKeyUri, secondaryKeyUri, geo: "EUR" })`);
    expect(checks[1]!.remediation).toContain(`Register-SPODataEncryptionPolicy -PrimaryKeyVaultName ${keys.primary.vault}`);
  });

  it("warns while a registration runs, with its progress, and passes once Registered with the pair's keys", async () => {
    const poller = client().policies.sharePoint.beginRegister({ geo: "EUR", primaryKeyUri: keys.primary.keyId, secondaryKeyUri: keys.secondary.keyId });
    await poller.poll();
    emulator.clock.advance(HOUR);
    const during = (await policyChecks()).find((c) => c.target.endsWith("EUR"))!;
    expect(during.status).toBe("warn");
    expect(during.evidence).toMatch(/^Registering: \d+(\.\d+)? % of sites done/);
    expect(during.remediation).toContain("Get-SPODataEncryptionPolicy");
    emulator.clock.advance(4 * HOUR);
    await poller;
    const after = await policyChecks();
    expect(after.map((c) => c.status)).toEqual(["fail", "pass"]);
    // The seeded admin is a signed-in user: Graph's getAllSites refuses it, and the evidence says so instead of a count.
    expect(after[1]!.evidence).toBe(
      `Registered with primary ${keys.primary.keyId} and secondary ${keys.secondary.keyId}. Sites not counted: Graph's sites/getAllSites refused the caller; it answers only an application with the Sites.Read.All application permission.`,
    );
  });

  it("fails in recovery mode with the recovery call and cmdlet as the fix", async () => {
    emulator.sharePoint.beginRecovery("EUR");
    const check = (await policyChecks()).find((c) => c.target.endsWith("EUR"))!;
    expect(check.status).toBe("fail");
    expect(check.remediation).toContain("client.policies.sharePoint.beginRecover");
    expect(check.remediation).toContain("Restore-SPODataEncryptionPolicy");
  });
});

describe("policy.sharePoint.state with an application caller holding Sites.Read.All (Graph's getAllSites answers it)", () => {
  it("gives each geo's site count as evidence, and the report's topology carries it with the progress", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "ck-validate-app" });
    emulator.directory.assignDirectoryRole(sp.objectId, "Global Administrator");
    emulator.directory.grantApplicationPermission(sp.objectId, "Sites.Read.All");
    emulator.sharePoint.createSite({ name: "board", geo: "NAM" });
    const app = new CustomerKeyClient(emulator.credentialFor(sp.appId), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 5, retry: { retryDelayInMs: 5 } });
    const allSites = () => emulator.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites").length;
    const before = allSites();
    const report = await app.validate(target, { microsoft365: true });
    const nam = emulator.sharePoint.sites("NAM").length;
    const eur = emulator.sharePoint.sites("EUR").length;
    const [namCheck, eurCheck] = report.checks.filter((c) => c.id === "policy.sharePoint.state");
    expect(namCheck!.evidence).toMatch(new RegExp(` ${nam} sites in this geo \\(Graph sites/getAllSites\\)`));
    expect(eurCheck!.evidence).toMatch(new RegExp(` ${eur} sites in this geo \\(Graph sites/getAllSites\\)`));
    const progress = new Map((await app.policies.sharePoint.list()).map((p) => [p.geo, p.progressPercent]));
    expect(report.topology!.policies!.filter((p) => p.kind === "sharePoint").map((p) => [p.name, p.siteCount, p.progressPercent])).toEqual([
      ["SharePoint NAM", nam, progress.get("NAM")],
      ["SharePoint EUR", eur, progress.get("EUR")],
    ]);
    // One getAllSites read for both geos' checks.
    expect(allSites() - before).toBe(1);
  });
});
