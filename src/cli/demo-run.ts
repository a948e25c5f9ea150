/**
 * The demo's script: a sample tenant onboarded from nothing with the SDK's calls, in the order an
 * administrator follows (Do-Not-Cancel → vault pairs → keys → backups → policies → assignments →
 * key roll → report). Every step is an SDK call; only the emulator's clock and its approval of
 * Do-Not-Cancel stand in for the waits reality has.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator } from "../emulator/index.js";
import { CustomerKeyClient, type PreflightReport, type VaultPairSpec } from "../index.js";
import { progressBar, type ProgressStream } from "./progress.js";
import { formatReportTable } from "./report-table.js";
import { describeRollState } from "./roll-progress.js";
import { collectStatus, formatStatus } from "./tenant-status.js";
import { wrapIndented } from "./terminal-text.js";

export interface DemoOptions {
  mailboxes: number;
  keepDirectory?: string;
  log: (line: string) => void;
  progress?: ProgressStream;
  signal?: AbortSignal;
  /** Colours the step headings and the verdict (no colour by default, see NO_COLOR in common-options). */
  style?: (code: number, text: string) => string;
}

export interface DemoResult {
  ok: boolean;
  reports: PreflightReport[];
  encryptedMailboxes: number;
  seconds: number;
}

type Workload = VaultPairSpec["workload"];
const WIDTH = 100;
const PAIRS: { workload: Workload; short: string; label: string }[] = [
  { workload: "exchange", short: "exo", label: "Exchange Online" },
  { workload: "sharePoint", short: "spo", label: "SharePoint Online" },
  { workload: "multiWorkload", short: "m365", label: "multi-workload" },
];

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

  const emulator = await startEmulator();
  const work = options.keepDirectory ? path.resolve(options.keepDirectory) : await mkdtemp(path.join(tmpdir(), "customer-key-demo-"));
  const backupDirectories = [path.join(work, "backups-online"), path.join(work, "backups-offline")];
  for (const d of backupDirectories) await mkdir(d, { recursive: true });
  try {
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
    const [a, b] = emulator.subscriptionIds as [string, string];
    log(`customer-key demo: tenant ${emulator.tenantId}`);
    log("An embedded emulator of Entra ID, Azure, Key Vault and Microsoft 365: nothing real is touched.");

    log("1. Do-Not-Cancel (mandatory retention) on both subscriptions");
    await Promise.all(
      [a, b].map(async (subscriptionId) => {
        const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId, op);
        await poller.poll();
        emulator.approveDoNotCancel(subscriptionId);
        await poller.pollUntilDone();
      }),
    );
    note(`${a}, ${b}: registered`);
    wait("Microsoft approves Do-Not-Cancel in about five business days; the emulator approved it now.");

    log("2. Vault pairs (premium, purge protection, two non-paired regions), RSA-HSM root keys, backups");
    const keys: Partial<Record<Workload, { primary: string; secondary: string }>> = {};
    const specs: VaultPairSpec[] = [];
    for (const { workload, short } of PAIRS) {
      check();
      const spec: VaultPairSpec = {
        workload,
        permissionModel: "accessPolicy",
        administrators: [emulator.admin.userPrincipalName],
        primary: { subscriptionId: a, resourceGroup: `rg-ck-${short}-a`, location: "westeurope", vaultName: `contoso-${short}-eu-a1` },
        secondary: { subscriptionId: b, resourceGroup: `rg-ck-${short}-b`, location: "swedencentral", vaultName: `contoso-${short}-eu-b1` },
        key: { name: `${short}-root`, size: 3072, protection: "hsm" },
      };
      await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec, op), op);
      const uris: string[] = [];
      for (const member of [spec.primary, spec.secondary]) {
        const vault = { subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName };
        const { key } = await client.keys.create(vault, spec.key!.name, { size: 3072, protection: "hsm", ...op });
        for (const directory of backupDirectories) await client.backups.backupKey(key.versionlessId, { directory, ...op });
        uris.push(key.versionlessId);
      }
      keys[workload] = { primary: uris[0]!, secondary: uris[1]! };
      specs.push(spec);
      note(`${workload}: ${spec.primary.vaultName} (westeurope), ${spec.secondary.vaultName} (swedencentral); keys backed up twice`);
    }
    note(`backups: ${backupDirectories.join(", ")}`);

    log(`3. Exchange data encryption policy, assigned to ${options.mailboxes} mailboxes`);
    const exo = keys.exchange!;
    await client.policies.exchange.create({ name: "EU_mailboxes", description: "EU mailboxes under our keys", keyUris: [exo.primary, exo.secondary] }, op);
    if (emulator.exchange.mailboxCount < options.mailboxes) emulator.exchange.addMailboxes(options.mailboxes - emulator.exchange.mailboxCount);
    const mailboxes: string[] = [];
    for (let offset = 0; offset < options.mailboxes; offset += 100) {
      mailboxes.push(...emulator.exchange.listMailboxes({ offset, limit: Math.min(100, options.mailboxes - offset) }).map((m) => m.userPrincipalName));
    }
    const bar = progressBar("   assigning", options.progress ?? { write: (t: string) => log(t.replace(/\n$/, "")) });
    const assignment = await client.policies.exchange.beginAssign(mailboxes, "EU_mailboxes", {
      checkpoint: path.join(work, "assign-EU_mailboxes.json"),
      ...op,
      onProgress: (p) => bar.update(p.done + p.failed, mailboxes.length, `${p.rate.toFixed(0)}/s`),
    });
    bar.done(`${assignment.done} assigned, ${assignment.failed} failed`);
    wait("Exchange moves each mailbox to its new key within 72 hours; the emulator clock moved 72 h on.");
    emulator.clock.advance(72 * 3600_000);

    log("4. SharePoint Online: register the SharePoint pair's keys");
    const spo = keys.sharePoint!;
    let spoHours = 0;
    const registered = await client.policies.sharePoint.beginRegister({
      primaryKeyUri: spo.primary,
      secondaryKeyUri: spo.secondary,
      ...op,
      onProgress: () => {
        spoHours++;
        emulator.clock.advance({ hours: 1 });
      },
    });
    note(`state ${registered.state}`);
    wait(`SharePoint's registration takes hours; the emulator clock moved ${spoHours} h on.`);

    log("5. Multi-workload policy (Teams, Viva, Purview …), assigned to the tenant");
    const m365 = keys.multiWorkload!;
    await client.policies.multiWorkload.create({ name: "Tenant_default", keyUris: [m365.primary, m365.secondary] }, op);
    await client.policies.multiWorkload.assign("Tenant_default", op);
    note("Tenant_default assigned");

    log("6. Yearly key roll: the primary key of every workload, moved through each policy using it");
    for (const { workload } of PAIRS) {
      check();
      const keyUri = keys[workload]!.primary;
      let last = "";
      let hours = 0;
      const result = await client.beginRollRootKey(keyUri, {
        backupDirectory: backupDirectories[0]!,
        ...op,
        onProgress: (state) => {
          const line = describeRollState(state);
          if (line !== last) log(`  ${(last = line)}`.slice(0, WIDTH));
          hours++;
          emulator.clock.advance({ hours: 1 });
        },
      });
      note(`${workload}: ${result.newKeyUri.split("/").slice(-3).join("/")} confirmed by ${result.policies.length} policy(ies)`);
      wait(`the workloads pick up a new version in hours (Exchange up to 72); the emulator clock moved ${hours} h on.`);
    }

    log("7. Preflight report, with the Microsoft 365 checks");
    const reports: PreflightReport[] = [];
    for (const spec of specs) {
      check();
      const report = await client.validate({ ...spec, backupDirectory: backupDirectories[0]! }, { microsoft365: true, ...op });
      reports.push(report);
      log(formatReportTable(report.toJSON(), { width: WIDTH }).trimEnd());
      log("");
    }

    log("8. Encryption status");
    let encrypted = 0;
    for (const mailbox of mailboxes) {
      check();
      if ((await client.policies.exchange.getMailboxEncryption(mailbox, op)).isEncrypted) encrypted++;
    }
    const status = await collectStatus(
      client,
      specs.flatMap((s) => [s.primary, s.secondary].map((m) => ({ vault: { subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup, vaultName: m.vaultName }, keyName: s.key!.name, workload: s.workload }))),
      signal,
    );
    status.mailboxCounts = { EU_mailboxes: assignment.done };
    log(formatStatus(status));
    log(`Mailboxes encrypted under EU_mailboxes: ${encrypted} of ${mailboxes.length}`);
    const seconds = (Date.now() - started) / 1000;
    const ok = reports.every((r) => r.ok) && encrypted === mailboxes.length && registered.state === "Registered";
    log(ok ? style(32, `Done in ${seconds.toFixed(1)} s.`) : style(31, `Finished with failures in ${seconds.toFixed(1)} s.`));
    return { ok, reports, encryptedMailboxes: encrypted, seconds };
  } finally {
    await emulator.stop();
    if (!options.keepDirectory) await rm(work, { recursive: true, force: true });
  }
}
