/**
 * The Microsoft 365 policy checks (issue 13), run when validate() is asked for them
 * (`{ microsoft365: true }`): the tenant's data encryption policies read through the Exchange
 * transport, their vaults located through Resource Manager, their keys read from Key Vault, the
 * workload principals' access read from the vaults. Reads only.
 */
import { getKeyOrUndefined } from "../../azure/key-vault-reads.js";
import type { VaultArm } from "../../azure/arm-vaults.js";
import type { GraphDirectory } from "../../azure/graph-directory.js";
import { locateVault } from "../../azure/vault-locator.js";
import { principalCanUnwrap } from "../../azure/workload-key-access.js";
import type { ClientContext } from "../../internal/context.js";
import { EXCHANGE_POLICY_LIMIT, parsePolicyKeyUri, policyKeyProblems, policyNameProblems } from "../../rules/data-encryption-policy.js";
import { toRootKeyInfo } from "../../rules/key-rules.js";
import { WORKLOAD_APP_IDS, WORKLOAD_DISPLAY_NAMES, type Workload } from "../../rules/workloads.js";
import type { ExchangeTransport } from "../../transports/exchange-transport.js";
import { pass, type CheckTask, type Outcome } from "./check-task.js";

export interface PolicyRow {
  name: string;
  keyUris: string[];
  kind: "mailbox" | "multiWorkload";
}

export interface PolicyCheckServices {
  context: ClientContext;
  arm: VaultArm;
  directory: GraphDirectory;
  exchange: ExchangeTransport;
  abortSignal: AbortSignal | undefined;
}

const rowsOf = (value: Record<string, unknown>[], kind: PolicyRow["kind"]): PolicyRow[] =>
  value.map((r) => ({ name: String(r["Name"] ?? r["Identity"] ?? ""), keyUris: Array.isArray(r["AzureKeyIDs"]) ? (r["AzureKeyIDs"] as string[]) : [], kind }));

/** The Exchange reads the policy checks share (each sent at most once); the report's topology reuses them. */
export interface PolicyReads {
  mailboxPolicies(): Promise<PolicyRow[]>;
  m365Policies(): Promise<PolicyRow[]>;
  /** Get-Mailbox rows. */
  mailboxes(): Promise<Record<string, unknown>[]>;
  /** The multi-workload assignment row, if any. */
  m365Assignment(): Promise<Record<string, unknown> | undefined>;
  /** Whether a read was already sent (the topology only reuses reads, it sends none of its own). */
  wasRead(name: "dep" | "m365" | "mailboxes" | "m365Assignment"): boolean;
}

export function policyReads(s: PolicyCheckServices): PolicyReads {
  const o = s.abortSignal ? { abortSignal: s.abortSignal } : {};
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as Promise<T>;
  };
  return {
    mailboxPolicies: () => once("dep", async () => rowsOf((await s.exchange.invoke({ cmdlet: "Get-DataEncryptionPolicy" }, o)).value, "mailbox")),
    m365Policies: () => once("m365", async () => rowsOf((await s.exchange.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicy" }, o)).value, "multiWorkload")),
    mailboxes: () => once("mailboxes", async () => (await s.exchange.invoke({ cmdlet: "Get-Mailbox" }, o)).value),
    m365Assignment: () => once("m365Assignment", async () => (await s.exchange.invoke({ cmdlet: "Get-M365DataAtRestEncryptionPolicyAssignment" }, o)).value[0]),
    wasRead: (name) => memo.has(name),
  };
}

export function policyChecks(s: PolicyCheckServices, reads: PolicyReads = policyReads(s)): CheckTask[] {
  const o = s.abortSignal ? { abortSignal: s.abortSignal } : {};
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as Promise<T>;
  };
  const { mailboxPolicies, m365Policies } = reads;
  const all = async () => [...(await mailboxPolicies()), ...(await m365Policies())];
  const located = (url: string) => once(`vault:${url}`, () => locateVault(s.context, url, o));
  const principal = (w: Workload) => once(`sp:${w}`, () => s.directory.findServicePrincipalByAppId(WORKLOAD_APP_IDS[w], o));
  const label = (p: PolicyRow) => `${p.kind === "mailbox" ? "Exchange DEP" : "multi-workload DEP"} '${p.name}'`;
  const none = (what: string): Outcome => ({ status: "skip", evidence: `The tenant has no ${what}.` });

  return [
    {
      id: "policy.exchange.name",
      target: "Exchange data encryption policies",
      run: async () => {
        const policies = await mailboxPolicies();
        if (policies.length === 0) return none("mailbox data encryption policy");
        const spaced = policies.filter((p) => policyNameProblems(p.name).length > 0 && policyNameProblems(p.name, { allowSpaces: true }).length === 0);
        const bad = policies.filter((p) => policyNameProblems(p.name, { allowSpaces: true }).length > 0);
        if (bad.length > 0) return { status: "fail", evidence: `Names the rules refuse: ${bad.map((p) => `'${p.name}'`).join(", ")}.`, remediation: "Rename: Set-DataEncryptionPolicy -Identity <name> -Name <new name> (no SDK call renames a policy)." };
        if (spaced.length > 0) {
          return { status: "warn", evidence: `Names with spaces: ${spaced.map((p) => `'${p.name}'`).join(", ")} (Microsoft's manage page says names can't contain spaces; quote them in every cmdlet).`, remediation: "Optional: Set-DataEncryptionPolicy -Identity '<name>' -Name <name_without_spaces>; new ones: client.policies.exchange.create({ name }) refuses spaces by default." };
        }
        return pass(`${policies.length} name(s), all valid: ${policies.map((p) => p.name).join(", ")}.`);
      },
    },
    {
      id: "policy.exchange.limit",
      target: "Exchange data encryption policies",
      run: async () => {
        const count = (await mailboxPolicies()).length;
        if (count >= EXCHANGE_POLICY_LIMIT) return { status: "warn", evidence: `${count} of at most ${EXCHANGE_POLICY_LIMIT} mailbox DEPs: no new one can be created.`, remediation: "Reuse a DEP: client.policies.exchange.assign(mailbox, policy) (Set-Mailbox -DataEncryptionPolicy <name>)." };
        return pass(`${count} of at most ${EXCHANGE_POLICY_LIMIT} mailbox DEPs.`);
      },
    },
    {
      id: "policy.keys.distinctVaults",
      target: "every data encryption policy",
      run: async () => {
        const policies = await all();
        if (policies.length === 0) return none("data encryption policy");
        const problems: string[] = [];
        for (const p of policies) {
          const parsed = p.keyUris.map(parsePolicyKeyUri);
          if (parsed.length !== 2 || parsed.some((k) => !k)) {
            problems.push(`${label(p)}: ${p.keyUris.length} key URI(s), two needed`);
            continue;
          }
          const [a, b] = await Promise.all(parsed.map((k) => located(k!.vaultUrl)));
          if (parsed[0]!.vaultUrl === parsed[1]!.vaultUrl) problems.push(`${label(p)}: both keys in ${parsed[0]!.vaultUrl}`);
          else if (!a || !b) problems.push(`${label(p)}: vault ${!a ? parsed[0]!.vaultUrl : parsed[1]!.vaultUrl} not found in any readable subscription`);
          else if (a.subscriptionId === b.subscriptionId) problems.push(`${label(p)}: both vaults in subscription ${a.subscriptionId}`);
        }
        if (problems.length > 0) return { status: "fail", evidence: `${problems.join("; ")}.`, remediation: "Create a vault pair in two subscriptions (client.vaultPairs.beginApply), then a new policy with its keys: client.policies.exchange.create (New-DataEncryptionPolicy) or client.policies.multiWorkload.create (New-M365DataAtRestEncryptionPolicy)." };
        return pass(`${policies.length} policy(ies): each has two keys in two vaults of two subscriptions.`);
      },
    },
    {
      id: "policy.keys.resolvable",
      target: "every data encryption policy",
      run: async () => {
        const policies = await all();
        if (policies.length === 0) return none("data encryption policy");
        const problems: string[] = [];
        const seen: string[] = [];
        for (const p of policies) {
          const workload: Workload = p.kind === "mailbox" ? "exchange" : "multiWorkload";
          const sp = await principal(workload);
          for (const uri of p.keyUris) {
            const k = parsePolicyKeyUri(uri);
            if (!k) {
              problems.push(`${label(p)}: '${uri}' is not a key id`);
              continue;
            }
            const key = await getKeyOrUndefined(s.context, k.vaultUrl, k.name, { ...o, ...(k.version ? { version: k.version } : {}) });
            if (!key) {
              problems.push(`${label(p)}: key ${uri} does not exist`);
              continue;
            }
            const keyProblems = policyKeyProblems(toRootKeyInfo(key));
            if (keyProblems.length > 0) problems.push(`${label(p)}: ${uri}: ${keyProblems.join(", ")}`);
            const vault = await located(k.vaultUrl);
            if (!sp) problems.push(`${label(p)}: the ${WORKLOAD_DISPLAY_NAMES[workload]} service principal does not exist in the tenant`);
            else if (vault) {
              const access = await principalCanUnwrap(s.arm, vault, sp.objectId, o);
              if (!access.ok) problems.push(`${label(p)}: ${WORKLOAD_DISPLAY_NAMES[workload]} cannot unwrap (${access.evidence})`);
              else seen.push(access.evidence);
            }
          }
        }
        if (problems.length > 0) {
          return { status: "fail", evidence: `${problems.join("; ")}.`, remediation: "Give the workload principal get, wrapKey, unwrapKey on both vaults (client.vaultPairs.beginApply with the pair's spec; Set-AzKeyVaultAccessPolicy -PermissionsToKeys get,wrapKey,unwrapKey), enable or recover the key (client.keys), then refresh the policy: client.policies.exchange.refresh (Set-DataEncryptionPolicy -Refresh)." };
        }
        return pass(`Every key URI names a live, enabled key the workload can unwrap with (${[...new Set(seen)].join("; ")}).`);
      },
    },
    {
      id: "policy.exchange.assignment",
      target: "Exchange mailboxes",
      run: async () => {
        if ((await mailboxPolicies()).length === 0) return none("mailbox data encryption policy");
        const rows = await reads.mailboxes();
        const without = rows.filter((r) => r["DataEncryptionPolicy"] == null).length;
        if (without > 0) {
          return { status: "warn", evidence: `${without} of ${rows.length} mailbox(es) have no data encryption policy (they stay under Microsoft-managed keys).`, remediation: "client.policies.exchange.beginAssign({ allWithoutPolicy: true }, policy, { checkpoint }) (Get-Mailbox | Set-Mailbox -DataEncryptionPolicy <name>)." };
        }
        return pass(`All ${rows.length} mailbox(es) have a data encryption policy.`);
      },
    },
    // policy.sharePoint.state comes from checks/sharepoint-policy.ts (one check per geo).
    {
      id: "policy.multiWorkload.assignment",
      target: "the tenant's multi-workload policy",
      run: async () => {
        const policies = await m365Policies();
        if (policies.length === 0) return none("multi-workload data encryption policy");
        const row = await reads.m365Assignment();
        if (!row || typeof row["Name"] !== "string") {
          return { status: "warn", evidence: `${policies.length} multi-workload policy(ies), none assigned: Teams and the other workloads stay under Microsoft-managed keys.`, remediation: `client.policies.multiWorkload.assign("${policies[0]!.name}") (Set-M365DataAtRestEncryptionPolicyAssignment -DataEncryptionPolicy "${policies[0]!.name}").` };
        }
        return pass(`Assigned: '${row["Name"]}'.`);
      },
    },
  ];
}
