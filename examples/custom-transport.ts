/**
 * Bring your own transport: wrap ExchangeRestTransport (or any ExchangeTransport) so that every
 * cmdlet run leaves one JSON line in an audit trail: when, which cmdlet, which parameters (names
 * only; values only for a few that cannot hold anything sensitive), the outcome, how long it took
 * and the service's request id when it gave one. The SDK takes any object with `invoke()`, so the
 * same pattern serves a proxy, a change-approval gate or a recorder for tests.
 *
 *   node --import tsx examples/custom-transport.ts
 */
import { randomUUID } from "node:crypto";
import { runIfMain } from "./run-example.js";
import { startScenario } from "./shared-setup.js";
import {
  ExchangeRestTransport,
  isCustomerKeyError,
  type ExchangeBatchItemResult,
  type ExchangeCommand,
  type ExchangeCommandResult,
  type ExchangeInvokeOptions,
  type ExchangeTransport,
  type OperationOptions,
} from "../src/index.js";

/** One audit line. */
export interface AuditRecord {
  time: string;
  /** Our own id of the call, to match a line with application logs. */
  callId: string;
  cmdlet: string;
  /** Every parameter name given, in order. */
  parameters: string[];
  /** Values of the parameters listed in SAFE_VALUES only (switches and counts). */
  safeValues: Record<string, unknown>;
  outcome: "ok" | "failed";
  /** The error's stable code when it failed, e.g. ERR_EXCHANGE_OBJECT_NOT_FOUND. */
  errorCode?: string;
  /** Rows returned, and warnings written, when it succeeded. */
  rows?: number;
  warnings?: number;
  durationMs: number;
  /** The service's request id (from a failure), for a support ticket. */
  requestId?: string;
  /** Set on the lines of one invokeBatch call. */
  batchId?: string;
}

/** Parameters whose values say nothing sensitive: switches and sizes. Identities, key URIs and reasons stay out. */
const SAFE_VALUES = new Set(["Refresh", "Enabled", "Replace", "Force", "ResultSize", "PermanentDataPurgeRequested"]);

/** An ExchangeTransport that records every call of another one, as JSON lines. */
export class AuditedExchangeTransport implements ExchangeTransport {
  constructor(
    private readonly inner: ExchangeTransport,
    private readonly write: (line: string) => void,
  ) {}

  async invoke(command: ExchangeCommand, options?: ExchangeInvokeOptions): Promise<ExchangeCommandResult> {
    const started = performance.now();
    try {
      const result = await this.inner.invoke(command, options);
      this.#record(command, started, { outcome: "ok", rows: result.value.length, warnings: result.warnings.length });
      return result;
    } catch (error) {
      this.#record(command, started, failure(error));
      throw error;
    }
  }

  async invokeBatch(commands: readonly ExchangeCommand[], options?: OperationOptions): Promise<ExchangeBatchItemResult[]> {
    const started = performance.now();
    const batchId = randomUUID();
    if (!this.inner.invokeBatch) {
      // A transport without batches: run the commands one by one, each still audited.
      const results: ExchangeBatchItemResult[] = [];
      for (const command of commands) {
        try {
          results.push({ ok: true, command, result: await this.invoke(command, options) });
        } catch (error) {
          results.push({ ok: false, command, error: error as Error });
        }
      }
      return results;
    }
    const results = await this.inner.invokeBatch(commands, options);
    for (const item of results) {
      this.#record(item.command, started, item.ok ? { outcome: "ok", rows: item.result.value.length, warnings: item.result.warnings.length, batchId } : { ...failure(item.error), batchId });
    }
    return results;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  #record(command: ExchangeCommand, started: number, outcome: Partial<AuditRecord> & { outcome: AuditRecord["outcome"] }): void {
    const given = Object.entries(command.parameters ?? {});
    const record: AuditRecord = {
      time: new Date().toISOString(),
      callId: randomUUID(),
      cmdlet: String(command.cmdlet),
      parameters: given.map(([name]) => name),
      safeValues: Object.fromEntries(given.filter(([name]) => SAFE_VALUES.has(name))),
      durationMs: Math.round(performance.now() - started),
      ...outcome,
    };
    this.write(JSON.stringify(record));
  }
}

function failure(error: unknown): { outcome: "failed"; errorCode: string; requestId?: string } {
  const code = isCustomerKeyError(error) ? error.code : error instanceof Error ? error.name : "error";
  const requestId = (error as { requestId?: unknown })?.requestId;
  return { outcome: "failed", errorCode: code, ...(typeof requestId === "string" ? { requestId } : {}) };
}

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<{ ok: boolean; audit: AuditRecord[] }> {
  // A tenant with an Exchange vault pair whose keys Exchange Online may use (see setup-and-validate.ts).
  const scenario = await startScenario({ doNotCancel: false });
  const { emulator } = scenario;
  const auditLines: string[] = [];
  try {
    // With real Microsoft 365: new ExchangeRestTransport({ credential: new DefaultAzureCredential(), tenantId }).
    const rest = new ExchangeRestTransport({
      credential: emulator.credentialFor(emulator.admin.userPrincipalName),
      tenantId: emulator.tenantId,
      endpoint: emulator.endpoints.exchange,
      ...emulator.clientOptions(),
    });
    const exchange = new AuditedExchangeTransport(rest, (line) => auditLines.push(line));

    log("1. Create a data encryption policy over both root keys, refresh it, assign it to a mailbox");
    await exchange.invoke({ cmdlet: "New-DataEncryptionPolicy", parameters: { Name: "EU_mailboxes", AzureKeyIDs: scenario.keyUris, Description: "EU mailboxes" } });
    await exchange.invoke({ cmdlet: "Set-DataEncryptionPolicy", parameters: { Identity: "EU_mailboxes", Refresh: true } });
    await exchange.invoke({ cmdlet: "Set-Mailbox", parameters: { Identity: "user000001", DataEncryptionPolicy: "EU_mailboxes" } });

    log("2. A mistake: a policy that does not exist (the typed error is audited, then handled)");
    try {
      await exchange.invoke({ cmdlet: "Get-DataEncryptionPolicy", parameters: { Identity: "US_mailboxes" } });
    } catch (error) {
      if (!(isCustomerKeyError(error) && error.code === "ERR_EXCHANGE_OBJECT_NOT_FOUND")) throw error;
    }

    log("3. Three mailboxes in one $batch");
    await exchange.invokeBatch(["user000002", "user000003", "user000004"].map((Identity) => ({ cmdlet: "Set-Mailbox" as const, parameters: { Identity, DataEncryptionPolicy: "EU_mailboxes" } })));

    log("Audit trail (JSON lines):");
    for (const line of auditLines) log(`   ${line}`);
    const audit = auditLines.map((line) => JSON.parse(line) as AuditRecord);
    const ok = audit.length === 7 && audit.filter((r) => r.outcome === "failed").length === 1;
    return { ok, audit };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
