/**
 * `customer-key status` with its counts, through the CLI against an emulator reached with
 * `--state FILE` (the connection file written here for an emulator this test runs, so that the
 * test can set up the tenant): mailboxes per DEP and without one, the SharePoint geo's sites beside
 * its state — counted when the caller is an application (CUSTOMER_KEY_EMULATOR_CLIENT_ID/_SECRET),
 * and for the seeded admin, a signed-in user whom Graph's getAllSites refuses, the reason instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawVaultManagement, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { connectionFileOf, type EmulatorConnectionFile } from "../../src/cli/connection.js";
import { formatStatus, type TenantStatus } from "../../src/cli/tenant-status.js";
import { BUILT_IN_ROLES } from "../../src/emulator/index.js";
import { cli } from "./cli-harness.js";

const dir = mkdtempSync(join(tmpdir(), "ck-cli-status-"));
const state = join(dir, "state.json");
const configFile = join(dir, "customer-key.config.json");
let s: Scenario;
let app: { appId: string; secret: string };
let mailboxes: number;

beforeAll(async () => {
  s = await startScenario();
  const e = s.emulator;
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, e.caCertificate);
  const connection: EmulatorConnectionFile = { port: e.endpoints.port, tenantId: e.tenantId, caCertificateFile: caFile, subscriptions: [...e.subscriptionIds], admin: { userPrincipalName: e.admin.userPrincipalName, password: e.admin.password } };
  writeFileSync(connectionFileOf(state), JSON.stringify(connection), { mode: 0o600 });
  const vault = (m: typeof s.spec.primary) => ({ resourceGroup: m.resourceGroup, location: m.location, vaultName: m.vaultName });
  writeFileSync(configFile, JSON.stringify({
    tenantId: e.tenantId,
    subscriptions: { primary: s.primary.subscriptionId, secondary: s.secondary.subscriptionId },
    administrators: [e.admin.userPrincipalName],
    backups: { directories: ["./online", "./offline"] },
    vaultPairs: { exchange: { primary: vault(s.spec.primary), secondary: vault(s.spec.secondary), keyName: "exo-root" } },
  }));
  await s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: s.keyUris });
  for (const box of e.exchange.listMailboxes({ offset: 0, limit: 3 })) await s.client.policies.exchange.assign(box.userPrincipalName, "EU_mailboxes");
  mailboxes = e.exchange.listMailboxes({ offset: 0, limit: 100_000 }).length;
  // An application that may read what status reads: Reader on the subscriptions, keys get/list, Global Administrator,
  // and Graph's Sites.Read.All application permission (an administrator's consent) for the site count.
  const sp = e.directory.createServicePrincipal({ displayName: "ck-status" });
  e.directory.assignDirectoryRole(sp.objectId, "Global Administrator");
  e.directory.grantApplicationPermission(sp.objectId, "Sites.Read.All");
  for (const id of e.subscriptionIds) e.assignRole({ scope: `/subscriptions/${id}`, roleId: BUILT_IN_ROLES.reader.id, principalId: sp.objectId });
  for (const v of [s.primary, s.secondary]) {
    await rawVaultManagement(e, v.subscriptionId).vaults.updateAccessPolicy(v.resourceGroup, v.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: e.tenantId, objectId: sp.objectId, permissions: { keys: ["get", "list"] } }] },
    });
  }
  app = { appId: sp.appId, secret: sp.secrets[0]! };
}, 120_000);
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in this process as the application (the env the connection reads), then restores the env. */
async function asApp(...argv: string[]) {
  process.env["CUSTOMER_KEY_EMULATOR_CLIENT_ID"] = app.appId;
  process.env["CUSTOMER_KEY_EMULATOR_CLIENT_SECRET"] = app.secret;
  try {
    return await cli(...argv);
  } finally {
    delete process.env["CUSTOMER_KEY_EMULATOR_CLIENT_ID"];
    delete process.env["CUSTOMER_KEY_EMULATOR_CLIENT_SECRET"];
  }
}

describe("customer-key status: mailbox and site counts", () => {
  it("--json as the seeded admin: mailboxes per DEP and without one; the sites not counted, with Graph's reason", async () => {
    const result = await cli("status", "--config", configFile, "--state", state, "--json");
    expect(result.code, result.err).toBe(0);
    const status = JSON.parse(result.out) as TenantStatus;
    expect(status.mailboxCounts).toEqual({ EU_mailboxes: 3 });
    expect(status.mailboxesWithoutPolicy).toBe(mailboxes - 3);
    expect(status.sharePoint).toEqual([expect.objectContaining({ geo: "", state: "Unregistered" })]);
    expect(status.sharePoint[0]).not.toHaveProperty("sites");
    expect(status.siteCountError).toBe("Graph's sites/getAllSites refused the caller (403): it answers only an application with the Sites.Read.All application permission.");
    const text = await cli("status", "--config", configFile, "--state", state);
    expect(text.out).toContain("  Sites not counted: Graph's sites/getAllSites refused the caller (403)");
    expect(Math.max(...text.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it("as an application: the geo's sites beside its state, in text and --json", async () => {
    const json = await asApp("status", "--config", configFile, "--state", state, "--json");
    expect(json.code).toBe(0);
    const status = JSON.parse(json.out) as TenantStatus;
    const sites = s.emulator.sharePoint.sites().length;
    expect(status.sharePoint.map((p) => [p.geo, p.state, p.sites])).toEqual([["", "Unregistered", sites]]);
    expect(status).not.toHaveProperty("siteCountError");
    expect(status.mailboxCounts).toEqual({ EU_mailboxes: 3 });

    const text = await asApp("status", "--config", configFile, "--state", state);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/EU_mailboxes +enabled .* 3 mailboxes/);
    expect(text.out).toMatch(new RegExp(`\\(no policy\\) +${mailboxes - 3} mailboxes`));
    expect(text.out).toMatch(new RegExp(`geo \\(default\\) +Unregistered +${sites} sites, not registered`));
    expect(text.out).not.toContain("not counted");
  });

  it("validate --microsoft365 as the application: the report's SharePoint check counts the sites", async () => {
    const run = await asApp("validate", "--config", configFile, "--state", state, "--microsoft365", "--format", "json");
    const reports = JSON.parse(run.out) as unknown;
    const sites = s.emulator.sharePoint.sites().length;
    expect(JSON.stringify(reports)).toContain(`${sites} sites in this geo`);
    expect(JSON.stringify(reports)).not.toContain("Sites not counted");
  });

  it("the application without Graph's Sites.Read.All (revoked: its next token has no roles): the sites not counted, with the reason", async () => {
    const sp = s.emulator.directory.findServicePrincipal(app.appId)!;
    s.emulator.directory.revokeApplicationPermission(sp.objectId, "Sites.Read.All");
    try {
      const json = await asApp("status", "--config", configFile, "--state", state, "--json");
      expect(json.code).toBe(0);
      const status = JSON.parse(json.out) as TenantStatus;
      expect(status.sharePoint[0]).not.toHaveProperty("sites");
      expect(status.siteCountError).toMatch(/^Graph's sites\/getAllSites refused the caller \(403\)/);
    } finally {
      s.emulator.directory.grantApplicationPermission(sp.objectId, "Sites.Read.All");
    }
  });
});

describe("formatStatus", () => {
  const base: TenantStatus = { exchangePolicies: [], multiWorkloadPolicies: [], multiWorkloadAssignment: null, sharePoint: [], keys: [] };
  const geo = (over: Partial<TenantStatus["sharePoint"][number]>) => ({ geo: "EUR", state: "Registered", progressPercent: 100, primaryKeyUri: undefined, secondaryKeyUri: undefined, ...over });

  it("shows each geo's sites with its registration or roll progress, and why sites or mailboxes were not counted", () => {
    const text = formatStatus({
      ...base,
      sharePoint: [geo({ sites: 1240 }), geo({ geo: "NAM", state: "Registering", progressPercent: 40, sites: 1 }), geo({ geo: "APC", state: "Rolling", progressPercent: 75 })],
      mailboxCountError: "Exchange said no",
    });
    expect(text).toContain("geo EUR        Registered   1,240 sites, 100 % registered");
    expect(text).toContain("geo NAM        Registering  1 site, 40 % registered");
    expect(text).toContain("geo APC        Rolling      75 % rolled");
    expect(text).toContain("Mailboxes not counted: Exchange said no");
    // A long reason wraps under its note instead of running past the terminal's width.
    const long = formatStatus({ ...base, siteCountError: "word ".repeat(60).trim() });
    expect(long.split("\n").filter((l) => l.startsWith("  Sites not counted: word"))).toHaveLength(1);
    expect(Math.max(...long.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});
