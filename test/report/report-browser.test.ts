/**
 * report.toHtml() in a real headless browser (Debian's Chromium driven by playwright-core): a
 * report from a real validate() against the emulator — an Exchange pair whose primary key has an
 * expiry (key.expiry fails), an Exchange DEP with a mailbox, SharePoint unregistered — renders
 * without console errors and without any request beyond the file itself; the picture names every
 * vault and policy with its mailbox or site count; the failing check is in the page text. validate
 * runs as an application (Reader, key get/list, Global Administrator, Sites.Read.All): Graph's
 * getAllSites, which the site count comes from, answers only applications with that permission. A screenshot lands in test/.artifacts/.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, rawKeyClient, rawVaultManagement, startScenario, type Scenario } from "../../examples/shared-setup.js";
import { runDemo } from "../../src/cli/demo-run.js";
import { BUILT_IN_ROLES, startEmulator } from "../../src/emulator/index.js";
import { PreflightReport } from "../../src/index.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
// In CI a missing browser is a failure (.ci/run installs it); locally the test says why it skips.
if (!haveChromium && !process.env["CI"]) console.warn(`report-browser.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium).`);
const ARTIFACTS = path.resolve("test/.artifacts");

describe.skipIf(!haveChromium && !process.env["CI"])("report.toHtml() in Chromium", () => {
  let s: Scenario;
  let report: PreflightReport;

  beforeAll(async () => {
    s = await startScenario();
    await s.client.policies.exchange.create({ name: "EU_mailboxes", keyUris: s.keyUris });
    const [box] = s.emulator.exchange.listMailboxes({ offset: 0, limit: 1 });
    await s.client.policies.exchange.assign(box!.userPrincipalName, "EU_mailboxes");
    // Give the admin keys 'update' (administrators lack it by design), then set an expiry after the DEP exists: key.expiry fails.
    await rawVaultManagement(s.emulator, s.primary.subscriptionId).vaults.updateAccessPolicy(s.primary.resourceGroup, s.primary.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: s.emulator.tenantId, objectId: s.emulator.admin.objectId, permissions: { keys: ["update"] } }] },
    });
    const vaultUrl = s.emulator.endpoints.vaultUrl(s.primary.vaultName);
    const [, , name, version] = new URL(s.keyUris[0]!).pathname.split("/");
    await rawKeyClient(s.emulator, vaultUrl).updateKeyProperties(name!, version!, { expiresOn: new Date("2031-06-30T00:00:00Z") });
    // An application that can read everything validate reads (Graph's getAllSites refuses signed-in users).
    const app = s.emulator.directory.createServicePrincipal({ displayName: "ck-report" });
    s.emulator.directory.assignDirectoryRole(app.objectId, "Global Administrator");
    s.emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    for (const vault of [s.primary, s.secondary]) {
      s.emulator.assignRole({ scope: `/subscriptions/${vault.subscriptionId}`, roleId: BUILT_IN_ROLES.reader.id, principalId: app.objectId });
      await rawVaultManagement(s.emulator, vault.subscriptionId).vaults.updateAccessPolicy(vault.resourceGroup, vault.vaultName, "add", {
        properties: { accessPolicies: [{ tenantId: s.emulator.tenantId, objectId: app.objectId, permissions: { keys: ["get", "list"] } }] },
      });
    }
    const real = await clientFor(s.emulator, app.appId).validate({ ...s.spec, keyUris: s.keyUris }, { microsoft365: true });
    // A hostile string where tenant text goes: it must show as text, not run (and the CSP forbids scripts anyway).
    const checks = real.checks.map((c) => (c.id === "key.expiry" && c.member === "primary" ? { ...c, evidence: `${c.evidence} <script>console.error("xss")</script>` } : { ...c }));
    report = new PreflightReport(real.workload, checks, new Date(real.generatedAt), real.topology);
  }, 120_000);
  afterAll(async () => s?.stop());

  it("renders offline, without console errors, showing every vault and policy and the failing check", async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing in CI: .ci/run must install chromium before the tests.`);
    expect(report.ok).toBe(false);
    expect(report.find("key.expiry").some((c) => c.status === "fail")).toBe(true);
    const topology = report.topology!;
    const policies = topology.policies!.map((p) => p.name);
    expect(policies).toContain("EU_mailboxes");
    expect(topology.policies!.find((p) => p.name === "EU_mailboxes")!.mailboxCount).toBe(1);
    const sites = s.emulator.sharePoint.sites().length;
    expect(topology.policies!.find((p) => p.kind === "sharePoint")!.siteCount).toBe(sites);

    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, "preflight-report.html");
    await writeFile(file, report.toHtml({ title: "Contoso preflight" }));
    const fileUrl = pathToFileURL(file).href;

    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.route("**/*", async (route) => {
        const url = route.request().url();
        if (url === fileUrl) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(fileUrl, { waitUntil: "load" });
      const svgText = await page.locator("svg").innerText().catch(async () => (await page.locator("svg").textContent()) ?? "");
      for (const v of topology.vaults) expect(svgText).toContain(v.vaultName);
      for (const name of policies) expect(svgText).toContain(name);
      // The counts beside the policies: the DEP's one mailbox, the SharePoint geo's sites.
      expect(svgText).toContain("1 mailbox");
      expect(svgText).toContain(`${sites} sites`);
      expect(await page.locator('svg g.node[data-layer="assignment"]').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("1 mailbox"), expect.stringContaining(`${sites} sites`)]));
      expect(await page.locator("svg g.node.fail").count()).toBeGreaterThan(0);
      const text = await page.locator("body").innerText();
      expect(text).toContain("key.expiry");
      expect(text).toContain("FAIL");
      expect(text).toContain(`<script>console.error("xss")</script>`);
      await page.screenshot({ path: path.join(ARTIFACTS, "preflight-report.png"), fullPage: true });
      await page.locator(".picture").screenshot({ path: path.join(ARTIFACTS, "preflight-topology.png") });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("the demo's one page shows every vault and policy of the demo in one picture, without console errors", async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing in CI: .ci/run must install chromium before the tests.`);
    const emulator = await startEmulator();
    const kept = await mkdtemp(path.join(tmpdir(), "ck-demo-browser-"));
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const result = await runDemo({ mailboxes: 20, emulator, keepDirectory: path.join(kept, "demo"), log: () => undefined });
      expect(result.ok).toBe(true);
      const fileUrl = pathToFileURL(result.files.reports[0]!).href;
      const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(fileUrl, { waitUntil: "load" });
      const svgText = (await page.locator("svg").textContent()) ?? "";
      const vaults = result.reports.flatMap((r) => r.topology!.vaults.map((v) => v.vaultName));
      expect(new Set(vaults).size).toBe(6);
      for (const name of vaults) expect(svgText).toContain(name);
      for (const name of ["EU_mailboxes", "Tenant_default", "SharePoint"]) expect(svgText).toContain(name);
      expect(svgText).toContain("20 mailbox");
      await mkdir(ARTIFACTS, { recursive: true });
      await page.locator(".picture").screenshot({ path: path.join(ARTIFACTS, "demo-topology.png") });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await emulator.stop();
      await rm(kept, { recursive: true, force: true });
    }
  }, 180_000);
});
