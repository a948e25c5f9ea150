/**
 * The demo's script: a sample tenant onboarded from nothing the way an administrator does it with
 * the SDK: a configuration file (the one `customer-key init` writes, filled in), loaded as
 * `customer-key plan --config` loads it, its plan printed, then applied with a journal, stopping at
 * the points only Microsoft can pass (Do-Not-Cancel approval, the onboarding request) and resuming
 * from the journal. Then a key roll through every workload, the preflight report and the status,
 * read as a read-only application (Graph counts SharePoint's sites only for an application).
 * Only the emulator stands in for Microsoft: it approves Do-Not-Cancel, and its clock is moved on
 * where reality waits.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { CustomerKeyClient, PreflightReport, type CustomerKeyClientOptions, type OnboardingApplyResult, type OnboardingPlan, type OnboardingStep } from "../index.js";
import { configuredKeys, loadCliConfig, type CliConfig } from "./cli-config.js";
import { demoConfigYaml, markOnboardingRequestSubmitted } from "./demo-config.js";
import { registerDemoReporter } from "./demo-reporter.js";
import { progressBar, type ProgressBar, type ProgressStream } from "./progress.js";
import { formatReportTable } from "./report-table.js";
import { describeRollState } from "./roll-progress.js";
import { collectStatus, formatStatus } from "./tenant-status.js";
import { wrapIndented } from "./terminal-text.js";

export interface DemoOptions {
  mailboxes: number;
  /** Keep the configuration, journal, backups and audit trail here (default: a temporary directory, removed). */
  keepDirectory?: string;
  log: (line: string) => void;
  progress?: ProgressStream;
  signal?: AbortSignal;
  /** Colours the step headings and the verdict (no colour by default, see NO_COLOR in common-options). */
  style?: (code: number, text: string) => string;
  /** Run against this emulator (left running) instead of starting one: lets a test look at it afterwards. */
  emulator?: Emulator;
  /** Retry settings of the demo's clients (the reliability suite runs the demo under injected faults). */
  retry?: CustomerKeyClientOptions["retry"];
}

export interface DemoResult {
  ok: boolean;
  reports: PreflightReport[];
  encryptedMailboxes: number;
  seconds: number;
  /** The files of the demo (gone when the directory was a temporary one). */
  files: { directory: string; config: string; journal: string; audit: string; backups: string[]; reports: string[] };
}

const WIDTH = 100;
const POLICY = "EU_mailboxes";
/** Applies needed at most: the first stops at Do-Not-Cancel, the second at the onboarding request. */
const MAX_APPLIES = 6;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { signal } = options;
  const style = options.style ?? ((_code: number, text: string) => text);
  // Step headings ("1. …") in bold.
  const log = (line: string) => options.log(/^\d\. /.test(line) ? style(1, line) : line);
  const note = (text: string) => log(wrapIndented(text, WIDTH, "   ").join("\n"));
  const wait = (text: string) => note(`[emulator clock] ${text}`);
  const op = signal ? { abortSignal: signal } : {};
  const check = () => {
    if (signal?.aborted) throw signal.reason;
  };

  const emulator = options.emulator ?? (await startEmulator());
  const work = options.keepDirectory ? path.resolve(options.keepDirectory) : await mkdtemp(path.join(tmpdir(), "customer-key-demo-"));
  const files = {
    directory: work,
    config: path.join(work, "customer-key.config.yaml"),
    // Where `customer-key apply --config customer-key.config.yaml` keeps its journal.
    journal: path.join(work, "customer-key.config.yaml.journal.json"),
    audit: path.join(work, "audit.jsonl"),
    backups: [path.join(work, "backups-online"), path.join(work, "backups-offline")],
    // The HTML report of the whole tenant.
    reports: [] as string[],
  };
  try {
    await mkdir(work, { recursive: true });
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10, audit: { file: files.audit }, ...(options.retry ? { retry: options.retry } : {}) });
    const [a, b] = emulator.subscriptionIds as [string, string];
    log(`customer-key demo: tenant ${emulator.tenantId}`);
    log("An embedded emulator of Entra ID, Azure, Key Vault and Microsoft 365: nothing real is touched.");

    log("1. The sample configuration (what `customer-key init` writes, filled in)");
    if (emulator.exchange.mailboxCount < options.mailboxes) emulator.exchange.addMailboxes(options.mailboxes - emulator.exchange.mailboxCount);
    const mailboxes: string[] = [];
    for (let offset = 0; offset < options.mailboxes; offset += 100) {
      mailboxes.push(...emulator.exchange.listMailboxes({ offset, limit: Math.min(100, options.mailboxes - offset) }).map((m) => m.userPrincipalName));
    }
    await writeFile(path.join(work, "mailboxes.txt"), `# The mailboxes of ${POLICY}, one per line.\n${mailboxes.join("\n")}\n`);
    await writeFile(
      files.config,
      demoConfigYaml({ tenantId: emulator.tenantId, subscriptions: { primary: a, secondary: b }, administrator: emulator.admin.userPrincipalName, mailboxFile: "mailboxes.txt", exchangePolicy: POLICY }),
    );
    // Loaded as `customer-key plan --config` loads it (the SDK's loadOnboardingConfig underneath).
    let config = await loadCliConfig(files.config);
    note(`${files.config}: tenant and two subscriptions; Exchange, SharePoint and multi-workload vault pairs; backups to two directories; ${POLICY} for the ${mailboxes.length} mailboxes of mailboxes.txt; SharePoint's policy; Tenant_default for the tenant.`);

    log("2. The plan (customer-key plan): every change, in order, before any is made");
    const firstPlan = await client.onboarding.plan(config.onboarding, op);
    log(firstPlan.format());
    const waits = firstPlan.steps.filter((s) => s.kind === "wait");
    note(`${waits.length} waiting points only Microsoft can pass: ${waits.map((s) => s.id).join(", ")}.`);

    log("3. Apply, with a journal (customer-key apply): it stops where Microsoft has to act, then resumes");
    let result: OnboardingApplyResult | undefined;
    let assigned = 0;
    for (let round = 0; ; round++) {
      check();
      if (round === MAX_APPLIES) throw new Error(`The onboarding still waits after ${MAX_APPLIES} applies: ${result?.instructions ?? ""}`);
      const plan = round === 0 ? firstPlan : await client.onboarding.plan(config.onboarding, op);
      if (round > 0) {
        const journal = JSON.parse(await readFile(files.journal, "utf8")) as { done: string[] };
        note(`apply again (${lastLine(plan)}): the journal records ${journal.done.length} finished steps, skipped without a request; it resumes at ${plan.steps[journal.done.length]?.id ?? "the end"}.`);
      }
      result = await applyOnce(client, plan, files.journal, options, log, op, (n) => (assigned = n));
      if (result.status === "completed") break;
      const at = result.waitingFor?.id ?? "";
      if (at.startsWith("doNotCancel/")) {
        note(`waiting at ${at}: ${result.instructions ?? ""}`);
        for (const subscriptionId of [a, b]) {
          if ((await client.subscriptions.getDoNotCancelState(subscriptionId, op)).featureState === "Pending") emulator.approveDoNotCancel(subscriptionId);
        }
        emulator.clock.advance({ days: 7 });
        wait("Microsoft approves Do-Not-Cancel in about five business days; the emulator approved both subscriptions and its clock moved 7 days on.");
      } else if (at === "microsoft/onboardingRequest") {
        note(`waiting at ${at}: send Microsoft the onboarding request (New-CustomerKeyOnboardingRequest) with these key URIs:`);
        for (const [slot, keyId] of Object.entries(result.keys)) log(`     ${slot.padEnd(24)} ${versionless(keyId)}`.slice(0, WIDTH));
        await markOnboardingRequestSubmitted(files.config);
        config = await loadCliConfig(files.config);
        note(`The demo plays the administrator: request submitted, and microsoft.onboardingRequestSubmitted: true set in ${path.basename(files.config)}. Microsoft checks the request before the policies are made; the emulator accepts it at once.`);
      } else {
        // A wait that passes with time (e.g. the Key Vault provider registering): reality waits minutes.
        note(`waiting at ${at}: ${result.instructions ?? ""}`);
        emulator.clock.advance({ minutes: 10 });
        wait("the emulator clock moved 10 minutes on.");
      }
    }
    note(`completed: ${result.changed.length} steps changed something in this run, ${result.skipped.length} had nothing to do; journal ${files.journal}`);
    const keyUri = (slot: string) => versionless(result!.keys[slot]!);

    log("4. The workloads take the keys: SharePoint's registration (hours), Exchange's mailbox moves");
    // Get-SPODataEncryptionPolicy once an hour, as an administrator would look.
    let spoHours = 0;
    let sharePoint = await client.policies.sharePoint.get(op);
    while (sharePoint.state !== "Registered" && spoHours < 72) {
      check();
      emulator.clock.advance({ hours: 1 });
      spoHours++;
      sharePoint = await client.policies.sharePoint.get(op);
    }
    note(`SharePoint Online: ${sharePoint.state} (${sharePoint.progressPercent} %)`);
    wait(`SharePoint's registration takes hours; the emulator clock moved ${spoHours} h on.`);
    emulator.clock.advance({ hours: 72 - spoHours });
    wait(`Exchange moves each mailbox to its new key within 72 hours; the emulator clock moved ${72 - spoHours} h more on.`);

    log("5. Yearly key roll: the primary key of every workload, moved through each policy using it");
    for (const workload of ["exchange", "sharePoint", "multiWorkload"] as const) {
      check();
      let last = "";
      let hours = 0;
      const rolled = await client.beginRollRootKey(keyUri(`${workload}/primary`), {
        backupDirectory: files.backups[0]!,
        ...op,
        onProgress: (state) => {
          const line = describeRollState(state);
          if (line !== last) log(`  ${(last = line)}`.slice(0, WIDTH));
          hours++;
          emulator.clock.advance({ hours: 1 });
        },
      });
      // The roll backs the new version up online; the offline copy is the administrator's second step.
      await client.backups.backupKey(keyUri(`${workload}/primary`), { directory: files.backups[1]!, ...op });
      note(`${workload}: ${rolled.newKeyUri.split("/").slice(-3).join("/")} confirmed by ${rolled.policies.length} policy(ies), backed up to both directories`);
      wait(`the workloads pick up a new version in hours (Exchange up to 72); the emulator clock moved ${hours} h on.`);
    }

    log("6. Preflight report, with the Microsoft 365 checks (customer-key validate --microsoft365)");
    // Graph counts sites only for an application with Sites.Read.All: the reports run as a read-only app.
    const reporter = await registerDemoReporter(emulator, config, signal, options.retry);
    note(`[emulator directory] registered the read-only application customer-key-reporter, which the reports and the status run as: ${reporter.rights.join("; ")}. In reality an administrator registers it and consents Sites.Read.All once.`);
    const reports = await preflight(reporter.client, config, op, check);
    for (const report of reports) {
      log(formatReportTable(report.toJSON(), { width: WIDTH }).trimEnd());
      log("");
    }
    // One page for the whole tenant, as `customer-key validate --format html` writes it.
    const page = path.join(work, "report.html");
    await writeFile(page, PreflightReport.combinedHtml(reports));
    files.reports.push(page);

    log("7. Encryption status");
    let encrypted = 0;
    for (const mailbox of mailboxes) {
      check();
      if ((await client.policies.exchange.getMailboxEncryption(mailbox, op)).isEncrypted) encrypted++;
    }
    const status = await collectStatus(reporter.client, configuredKeys(config), signal);
    status.mailboxCounts = { EU_mailboxes: assigned };
    log(formatStatus(status));
    log(`Mailboxes encrypted under ${POLICY}: ${encrypted} of ${mailboxes.length}`);

    await describeFiles(files, !!options.keepDirectory, log);
    const seconds = (Date.now() - started) / 1000;
    const ok = reports.every((r) => r.ok) && encrypted === mailboxes.length && sharePoint.state === "Registered";
    log(ok ? style(32, `Done in ${seconds.toFixed(1)} s.`) : style(31, `Finished with failures in ${seconds.toFixed(1)} s.`));
    return { ok, reports, encryptedMailboxes: encrypted, seconds, files };
  } finally {
    if (!options.emulator) await emulator.stop();
    if (!options.keepDirectory) await rm(work, { recursive: true, force: true });
  }
}

const versionless = (keyId: string) => keyId.replace(/\/[0-9a-f]{32}$/i, "");
const lastLine = (plan: OnboardingPlan) => plan.format().split("\n").at(-1)!.replace(/\.$/, "");

/** One apply of the plan: a line per phase, a progress bar while mailboxes are assigned. */
async function applyOnce(
  client: CustomerKeyClient,
  plan: OnboardingPlan,
  journal: string,
  options: DemoOptions,
  log: (line: string) => void,
  op: { abortSignal?: AbortSignal },
  onAssigned: (done: number) => void,
): Promise<OnboardingApplyResult> {
  const counts = new Map<string, { done: number; skipped: number; checked: number }>();
  let phase = "";
  // "microsoft/…" is a step of the keys phase, after the backups: shown under its own name.
  const section = (step: OnboardingStep | undefined) => (step?.id.startsWith("microsoft/") ? "microsoft" : step?.phase);
  const flush = (phase: string) => {
    const c = counts.get(phase);
    if (!c) return;
    const parts = [c.done && `${c.done} done`, c.checked && `${c.checked} checked`, c.skipped && `${c.skipped} nothing to do`].filter(Boolean);
    log(`   ${phase.padEnd(12)} ${parts.join(", ")}`);
    counts.delete(phase);
  };
  let bar: ProgressBar | undefined;
  const result = await client.onboarding
    .beginApply(plan, {
      journal,
      ...op,
      onAssignmentProgress: (p) => {
        bar ??= progressBar(`   assigning ${p.policy}`, options.progress ?? { write: (t: string) => log(t.replace(/\n$/, "")) });
        bar.update(p.done + p.failed, p.total ?? p.done + p.failed, `${p.rate.toFixed(0)}/s`);
        if (p.total !== undefined && p.done + p.failed === p.total) {
          bar.done(`${p.done} assigned, ${p.failed} failed`);
          bar = undefined;
          onAssigned(p.done);
        }
      },
      onProgress: (p) => {
        const phase = section(p.step)!;
        if (p.outcome === "waiting") return flush(phase);
        const c = counts.get(phase) ?? { done: 0, skipped: 0, checked: 0 };
        c[p.outcome === "done" ? "done" : p.outcome === "checked" ? "checked" : "skipped"]++;
        counts.set(phase, c);
        // One line per phase, as soon as its last step ran.
        if (section(plan.steps[p.completed]) !== phase) flush(phase);
      },
    })
    .pollUntilDone();
  return result;
}

async function preflight(client: CustomerKeyClient, config: CliConfig, op: { abortSignal?: AbortSignal }, check: () => void): Promise<PreflightReport[]> {
  const reports: PreflightReport[] = [];
  for (const pair of config.vaultPairs) {
    check();
    reports.push(await client.validate({ ...pair, backupDirectory: config.backupDirectories[0]! }, { microsoft365: true, ...op }));
  }
  return reports;
}

/** Where the files are, so a user can look at them (`--keep`). */
async function describeFiles(files: DemoResult["files"], kept: boolean, log: (line: string) => void): Promise<void> {
  const count = async (dir: string) => (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".backup")).length;
  const audit = (await readFile(files.audit, "utf8").catch(() => "")).split("\n").filter(Boolean).length;
  log(kept ? `Files, kept in ${files.directory}:` : "Files (in a temporary directory, removed now; --keep <dir> keeps them):");
  const rows: [string, string][] = [
    ["configuration", path.basename(files.config)],
    ["mailboxes", "mailboxes.txt (the policy's mailboxes, one per line)"],
    ["journal", `${path.basename(files.journal)} (and the assignment's checkpoint beside it)`],
    ["backups", (await Promise.all(files.backups.map(async (d) => `${path.basename(d)}/ (${await count(d)} files)`))).join(", ")],
    ["audit trail", `${path.basename(files.audit)} (${audit} changes, JSON lines)`],
    ["HTML report", `${files.reports.map((f) => path.basename(f)).join(", ")} (every check, and a picture of the tenant)`],
  ];
  // Wrapped, never cut: a file name must stay whole.
  for (const [what, where] of rows) log(wrapIndented(where, WIDTH, `  ${what.padEnd(14)} `).join("\n"));
}
