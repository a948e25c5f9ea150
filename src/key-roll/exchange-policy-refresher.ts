/**
 * The Exchange Online half of a key roll, straight over an ExchangeTransport: find the mailbox and
 * multi-workload DEPs whose `AzureKeyIDs` name the key, `-Refresh` them, read them again. Kept here
 * (not in the policies module) so the key roll needs no other feature; the policies module's
 * Exchange and multi-workload clients can take this over (see the wave3 report).
 *
 * Exchange does not report which key version a DEP is wrapped under (research m365-endpoints
 * §2.3–2.4: `-Refresh` takes effect within 72 h, checked by Microsoft's guidance on mailbox
 * statistics), so what is read back is `WhenChanged`: the refresh landed when it moved.
 */
import type { AuditTrail } from "../internal/audit.js";
import type { OperationOptions } from "../internal/operation.js";
import { parseKeyUri, sameKey, tryParseKeyUri } from "../rules/key-uris.js";
import type { ExchangeCmdlet, ExchangeTransport } from "../transports/exchange-transport.js";
import type { WorkloadKeyReport, WorkloadPolicyRef, WorkloadPolicyRefresher } from "./dependencies.js";

const CMDLETS: Record<WorkloadPolicyRef["workload"], { get: ExchangeCmdlet; set: ExchangeCmdlet }> = {
  exchange: { get: "Get-DataEncryptionPolicy", set: "Set-DataEncryptionPolicy" },
  multiWorkload: { get: "Get-M365DataAtRestEncryptionPolicy", set: "Set-M365DataAtRestEncryptionPolicy" },
};

/** `WhenChangedUTC` (or `WhenChanged`) of a row as ISO 8601; undefined when absent or unreadable. */
function changedAtOf(row: Record<string, unknown>): string | undefined {
  const raw = row["WhenChangedUTC"] ?? row["WhenChanged"];
  if (typeof raw !== "string") return undefined;
  const ms = /^\/Date\((-?\d+)/.exec(raw)?.[1];
  const date = ms ? new Date(Number(ms)) : new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const keyUrisOf = (row: Record<string, unknown>): string[] => (Array.isArray(row["AzureKeyIDs"]) ? (row["AzureKeyIDs"] as unknown[]).filter((u): u is string => typeof u === "string") : []);

/** WorkloadPolicyRefresher over Exchange Online's cmdlets. */
export class ExchangePolicyRefresher implements WorkloadPolicyRefresher {
  readonly #transport: ExchangeTransport;
  readonly #audit: AuditTrail | undefined;

  /** `audit`: the client's trail, which gets one line per refresh (the key roll's Exchange changes). */
  constructor(transport: ExchangeTransport, audit?: AuditTrail) {
    this.#transport = transport;
    this.#audit = audit;
  }

  async listPoliciesUsingKey(versionlessKeyId: string, options: OperationOptions): Promise<WorkloadPolicyRef[]> {
    const key = parseKeyUri(versionlessKeyId, "keyId");
    const out: WorkloadPolicyRef[] = [];
    for (const workload of ["exchange", "multiWorkload"] as const) {
      const { value } = await this.#transport.invoke({ cmdlet: CMDLETS[workload].get }, options);
      for (const row of value) {
        const keyUris = keyUrisOf(row);
        if (typeof row["Name"] !== "string" || !keyUris.some((u) => { const p = tryParseKeyUri(u); return !!p && sameKey(p, key); })) continue;
        out.push({ workload, name: row["Name"], keyUris, changedAt: changedAtOf(row) });
      }
    }
    return out;
  }

  async refresh(policy: WorkloadPolicyRef, options: OperationOptions): Promise<void> {
    const send = () => this.#transport.invoke({ cmdlet: CMDLETS[policy.workload].set, parameters: { Identity: policy.name, Refresh: true } }, options);
    if (!this.#audit) return void (await send());
    await this.#audit.change(
      { what: `policies.${policy.workload}.refresh`, target: policy.name, before: { whenChanged: policy.changedAt ?? null } },
      send,
      async () => ({ refreshed: true, whenChanged: (await this.reportedKeyVersion(policy, options)).changedAt ?? null }),
    );
  }

  async reportedKeyVersion(policy: WorkloadPolicyRef, options: OperationOptions): Promise<WorkloadKeyReport> {
    const { value } = await this.#transport.invoke({ cmdlet: CMDLETS[policy.workload].get, parameters: { Identity: policy.name } }, options);
    const row = value[0];
    return { version: undefined, changedAt: row ? changedAtOf(row) : undefined };
  }
}
