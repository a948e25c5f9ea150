import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoResult } from "../../src/cli/demo-run.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, loadOnboardingConfig } from "../../src/index.js";
import { cli } from "./cli-harness.js";

let emulator: Emulator;
let dir: string;
let result: DemoResult;
let out: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(path.join(tmpdir(), "ck-demo-test-"));
  const lines: string[] = [];
  // The emulator is the test's: still running after the demo, to look at what the demo left.
  result = await runDemo({ mailboxes: 300, keepDirectory: path.join(dir, "kept"), emulator, log: (line) => lines.push(line) });
  out = lines.join("\n");
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("customer-key demo", () => {
  it("onboards the sample tenant from its configuration through plan and apply, rolls a key per workload and reports", () => {
    expect(result.ok).toBe(true);
    for (const step of ["1. The sample configuration", "2. The plan", "3. Apply, with a journal", "4. The workloads take the keys", "5. Yearly key roll", "6. Preflight report", "7. Encryption status"]) {
      expect(out).toContain(step);
    }
    // The plan, printed before anything changed, names the points only Microsoft can pass.
    const plan = out.slice(out.indexOf("Onboarding plan for tenant"), out.indexOf("3. Apply"));
    expect(plan).toContain("… wait   subscription");
    expect(plan).toContain("… wait   Microsoft 365 onboarding request");
    expect(plan).toContain("3 waiting for Microsoft");
    // The files it kept, each name whole (a line is wrapped, never cut).
    expect(out).toMatch(/HTML report +report\.html \(every check, and a picture of the tenant\)/);
    expect(plan).toContain("300 mailbox(es) without it");
    // The apply stopped at each, and resumed from the journal (notes are word-wrapped).
    const flat = out.replace(/\s+/g, " ");
    expect(flat).toContain("waiting at doNotCancel/primary/approval");
    expect(flat).toContain("waiting at microsoft/onboardingRequest");
    expect(flat).toContain("it resumes at doNotCancel/primary/approval");
    expect(flat).toContain("it resumes at microsoft/onboardingRequest");
    expect(flat).toContain("microsoft.onboardingRequestSubmitted: true set in customer-key.config.yaml");
    expect(flat).toContain("[emulator clock] Microsoft approves Do-Not-Cancel");
    expect(out).toContain("assigning EU_mailboxes [##############################] 300/300");
    expect(out).toContain("Mailboxes encrypted under EU_mailboxes: 300 of 300");
    expect(result.encryptedMailboxes).toBe(300);
    expect(out.match(/Result: ready\./g)).toHaveLength(3);
    expect(out).not.toContain("FAIL");
    // Each workload's primary key now has two versions; the secondaries one.
    expect(out.match(/2 version\(s\)/g)).toHaveLength(3);
    expect(out).toContain(`Files, kept in ${result.files.directory}:`);
    expect(Math.max(...out.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100);
  });

  it("counts SharePoint's sites in the status and the reports, read by the read-only customer-key-reporter application", () => {
    const flat = out.replace(/\s+/g, " ");
    expect(flat).toContain("[emulator directory] registered the read-only application customer-key-reporter");
    expect(flat).toContain("consents Sites.Read.All once");
    const status = out.slice(out.indexOf("7. Encryption status"));
    const sites = emulator.sharePoint.sites().length;
    expect(sites).toBeGreaterThan(0);
    expect(status).toMatch(new RegExp(`\\n  geo \\(default\\) +Registered +${sites} sites, 100 % registered\\n`));
    expect(out).not.toContain("Sites not counted");
    // Each report's SharePoint check says the count too (evidence is wrapped in its column).
    expect(flat.match(new RegExp(`${sites} sites in this geo`, "g"))).toHaveLength(3);
    // Graph answered the reporter (an application with Sites.Read.All): three reports and the status.
    // (The apply's own preflight runs as the signed-in admin, whom Graph refuses.)
    const reporter = emulator.directory.servicePrincipals.find((p) => p.displayName === "customer-key-reporter")!;
    expect(emulator.directory.applicationPermissionsOf(reporter.objectId)).toEqual(["Sites.Read.All"]);
    expect(emulator.directory.directoryRolesOf(reporter.objectId)).not.toContain("Global Administrator");
    const siteReads = emulator.requests.list({ service: "graph" }).filter((r) => r.operation === "Sites_GetAllSites" && r.caller === reporter.objectId);
    expect(siteReads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Read-only: the reporter changed nothing.
    expect(emulator.requests.mutating().filter((r) => r.caller === reporter.objectId || r.caller === reporter.appId)).toEqual([]);
  });

  it("keeps the configuration (request marked submitted), a completed journal, both backup copies and the audit trail", async () => {
    const config = await readFile(result.files.config, "utf8");
    expect(config).toContain("onboardingRequestSubmitted: true");
    expect(config).toContain("# Two subscriptions"); // the comments survive the edit
    const journal = JSON.parse(await readFile(result.files.journal, "utf8")) as { done: string[]; current?: string; keys: Record<string, string> };
    expect(journal.current).toBeUndefined();
    expect(journal.done).toEqual(expect.arrayContaining(["doNotCancel/secondary/approval", "microsoft/onboardingRequest", "policies/sharePoint/default", "assignments/exchange/EU_mailboxes", "assignments/multiWorkload/Tenant_default"]));
    expect(Object.keys(journal.keys)).toHaveLength(6);
    // Six keys backed up at onboarding, three new versions after the roll: in each directory.
    for (const d of result.files.backups) expect((await readdir(d)).filter((f) => f.endsWith(".backup"))).toHaveLength(9);
    const audit = (await readFile(result.files.audit, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { what: string });
    expect(audit.map((l) => l.what)).toEqual(expect.arrayContaining(["subscriptions.registerDoNotCancel", "keys.create", "backups.backupKey", "policies.exchange.assign", "policies.multiWorkload.assign"]));
    // One HTML report of the whole tenant: every vault and policy of the demo in one picture, with the counts.
    expect(result.files.reports.map((f) => f.split("/").pop())).toEqual(["report.html"]);
    const page = await readFile(result.files.reports[0]!, "utf8");
    const svg = page.slice(page.indexOf("<svg"), page.indexOf("</svg>"));
    for (const name of ["contoso-exo-eu-a1", "contoso-exo-eu-b1", "contoso-spo-eu-a1", "contoso-spo-eu-b1", "contoso-m365-eu-a1", "contoso-m365-eu-b1", "EU_mailboxes", "Tenant_default", "SharePoint"]) expect(svg, name).toContain(name);
    expect(svg).toMatch(/4 sites/);
    expect(svg).toMatch(/300 mailbox/);
    // Every mailbox got its policy once.
    const assigned = emulator.requests.list({ service: "exchange" }).filter((r) => r.operation === "Set-Mailbox" && r.status === 200);
    expect(assigned).toHaveLength(300);
  });

  it("a second apply of the same configuration (new journal) changes nothing and sends no mutating request", async () => {
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
    const config = await loadOnboardingConfig(result.files.config);
    const since = emulator.requests.size;
    const plan = await client.onboarding.plan(config);
    expect(plan.steps.filter((s) => s.kind !== "noop" && s.kind !== "check").map((s) => s.id)).toEqual([]);
    const again = await client.onboarding.beginApply(plan, { journal: path.join(dir, "second.journal.json") }).pollUntilDone();
    expect(again.status).toBe("completed");
    expect(again.changed).toEqual([]);
    expect(emulator.requests.mutating(since).map((r) => `${r.method} ${r.path} ${r.operation ?? ""}`)).toEqual([]);
  }, 60_000);

  it("refuses a --keep directory that is not empty, before starting anything", async () => {
    const busy = path.join(dir, "busy");
    await mkdir(busy);
    await writeFile(path.join(busy, "notes.txt"), "mine\n");
    const run = await cli("demo", "--keep", busy);
    expect(run.code).toBe(2);
    expect(run.err).toContain("is not empty");
    expect(await readdir(busy)).toEqual(["notes.txt"]);
  });

  it("Ctrl-C (SIGINT) during the demo stops it with exit code 130", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "demo", "--mailboxes", "3000"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes("assigning EU_mailboxes [")) resolve();
      }),
    );
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("Interrupted");
    expect(stderr).toContain("ERR_ABORTED");
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
