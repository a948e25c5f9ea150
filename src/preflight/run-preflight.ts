/**
 * validate(): the preflight report. Reads everything, changes nothing. Checks run in parallel
 * (at most `maxConcurrency` requests in flight, shared by every validate() on one client); each
 * check is isolated: a read that fails makes that check fail with the error as evidence, never
 * the whole report. Only invalid input throws, before any request.
 */
import { isCustomerKeyError, OperationAbortedError } from "../errors.js";
import { throwIfAborted } from "../internal/abort.js";
import { mapWithConcurrency } from "../internal/concurrency.js";
import type { ClientContext } from "../internal/context.js";
import { accessChecks } from "./checks/access.js";
import { backupChecks } from "./checks/backup.js";
import { subscriptionChecks } from "./checks/subscription.js";
import { vaultChecks } from "./checks/vault.js";
import { Blocked, TITLES, type CheckInputs, type CheckTask, type Outcome } from "./checks/check-task.js";
import { keyChecks } from "./checks/key.js";
import { policyChecks, policyReads, type PolicyReads } from "./checks/policy.js";
import { collectTopology, type Microsoft365Reads } from "./collect-topology.js";
import { sharePointPolicyChecks, type SharePointPolicyView, type SiteCountRead } from "./checks/sharepoint-policy.js";
import { ValidationReader, type PreflightServices } from "./preflight-reads.js";
import { PreflightReport } from "./report.js";
import { normalizeTarget } from "./normalize-target.js";
import { CHECK_IDS, type PreflightCheck, type ValidateOptions, type ValidationInput } from "./types.js";

const order = new Map<string, number>(CHECK_IDS.map((id, i) => [id, i]));

/** The structured scope of a check: member, subscription, vault and key, so tools need not parse `target`. */
async function scopeOf(task: CheckTask, reader: ValidationReader): Promise<Pick<PreflightCheck, "member" | "subscriptionId" | "vaultName" | "vaultUri" | "keyName">> {
  const m = task.member;
  const subscriptionId = task.subscriptionId ?? m?.subscriptionId;
  if (!m) return subscriptionId ? { subscriptionId } : {};
  if (task.id.startsWith("subscription.")) return { member: m.member, subscriptionId: subscriptionId! };
  const vaultUri = (await reader.vaultIfRead(m))?.properties?.vaultUri?.replace(/\/+$/, "");
  const keyName = task.id.startsWith("key.") || task.id.startsWith("backup.") ? m.keyName : undefined;
  return { member: m.member, subscriptionId: m.subscriptionId, vaultName: m.vaultName, ...(vaultUri ? { vaultUri } : {}), ...(keyName ? { keyName } : {}) };
}

async function runCheck(task: CheckTask, signal: AbortSignal | undefined, reader: ValidationReader): Promise<PreflightCheck> {
  let outcome: Outcome;
  try {
    outcome = await task.run();
  } catch (error) {
    if (error instanceof Blocked) outcome = error.outcome;
    else if (error instanceof OperationAbortedError || signal?.aborted) throw error;
    else {
      // Service errors are already stripped of tokens; other errors show their message only.
      const message = isCustomerKeyError(error) || error instanceof Error ? error.message : String(error);
      outcome = { status: "fail", evidence: `Could not be checked: ${message}`, remediation: "Make sure the caller can read it (Reader on the subscriptions, Key Vault get/list on keys, Graph directory read), then run validate again." };
    }
  }
  return { id: task.id, title: TITLES[task.id], status: outcome.status, target: task.target, ...(await scopeOf(task, reader)), evidence: outcome.evidence, remediation: outcome.remediation ?? "" };
}

/** The Microsoft 365 checks: one per SharePoint geo (read first: the geos make the checks); a failed read is one failing check. */
async function microsoft365Checks(services: PreflightServices, target: ReturnType<typeof normalizeTarget>, options: ValidateOptions, seen: Microsoft365Reads): Promise<CheckTask[]> {
  if (!services.sharePoint) return [];
  try {
    const geos: SharePointPolicyView[] = await services.sharePoint.list(options.abortSignal ? { abortSignal: options.abortSignal } : {});
    seen.sharePoint = geos;
    const reader = services.sharePoint;
    let siteCounts: Promise<SiteCountRead> | undefined;
    // Read once, when the first geo's check runs (so it counts against the checks' concurrency); the topology reuses it.
    const counts = reader.countSites
      ? () => (siteCounts ??= reader.countSites!(options.abortSignal ? { abortSignal: options.abortSignal } : {}).then(
          (c): SiteCountRead => {
            const read: SiteCountRead = { ok: true, byGeo: new Map(c.geos.map((g) => [g.geo.toUpperCase(), g.sites])) };
            seen.siteCounts = read.byGeo;
            return read;
          },
          (error: unknown): SiteCountRead => {
            if (error instanceof OperationAbortedError || options.abortSignal?.aborted) throw error;
            const forbidden = (error as { code?: unknown }).code === "ERR_SERVICE_FORBIDDEN";
            return { ok: false, reason: forbidden ? "Graph's sites/getAllSites refused the caller; it answers only an application with the Sites.Read.All application permission." : error instanceof Error ? error.message : String(error) };
          },
        ))
      : undefined;
    return sharePointPolicyChecks(geos, target, counts);
  } catch (error) {
    if (error instanceof OperationAbortedError || options.abortSignal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return [{ id: "policy.sharePoint.state", target: "SharePoint Online", run: async () => ({ status: "fail", evidence: `Could not be read: ${message}`, remediation: "The caller needs the SharePoint Administrator role (Graph Sites.Read.All to list geos); then client.policies.sharePoint.list(). PowerShell: Get-SPODataEncryptionPolicy" }) }];
  }
}

export async function validate(context: ClientContext, services: PreflightServices, target: ValidationInput, options: ValidateOptions = {}): Promise<PreflightReport> {
  const normalized = normalizeTarget(target);
  throwIfAborted(options.abortSignal, "validate");
  const reader = new ValidationReader(context, services, options.abortSignal);
  const inputs: CheckInputs = { reader, target: normalized, tenantId: context.tenantId };
  const tasks = [...subscriptionChecks(inputs), ...vaultChecks(inputs), ...accessChecks(inputs), ...keyChecks(inputs), ...backupChecks(inputs)];
  const m365: Microsoft365Reads | undefined = options.microsoft365 ? {} : undefined;
  if (m365 && services.exchange) {
    const policyServices = { context, arm: services.arm, directory: services.directory, exchange: services.exchange, abortSignal: options.abortSignal };
    const reads: PolicyReads = policyReads(policyServices);
    m365.policies = reads;
    tasks.push(...policyChecks(policyServices, reads));
  }
  if (m365) tasks.push(...(await microsoft365Checks(services, normalized, options, m365)));
  let done = 0;
  const checks = await mapWithConcurrency(tasks, context.maxConcurrency, async (task) => {
    const check = await runCheck(task, options.abortSignal, reader);
    options.onProgress?.({ done: ++done, total: tasks.length, check });
    return check;
  }, {
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    operation: "validate",
  });
  // Stable order: by check id as listed in CHECK_IDS, then primary before secondary.
  const sorted = checks.map((c, i) => ({ c, i })).sort((a, b) => order.get(a.c.id)! - order.get(b.c.id)! || a.i - b.i).map((x) => x.c);
  const topology = await collectTopology(reader, normalized, context.tenantId, m365);
  const report = new PreflightReport(normalized.workload, sorted, new Date(), topology);
  context.logger.info(`validate: ${report.ok ? "ready" : "not ready"} (${JSON.stringify(report.summary)}).`);
  return report;
}
