/**
 * `policy.sharePoint.state` (Microsoft 365 checks, `validate(target, { microsoft365: true })`): one
 * check per geo of SharePoint Online's Customer Key policy — Registered (and with which keys),
 * a registration or roll in progress, in recovery, or Unregistered — each with the fix as the SDK
 * call and the SPO cmdlet. The geos and their policies come from the injected SharePoint reader.
 */
import type { NormalizedTarget } from "../normalize-target.js";
import type { CheckTask, Outcome } from "./check-task.js";

/** One geo's SharePoint policy, as the check reads it (`client.policies.sharePoint.list()` fits). */
export interface SharePointPolicyView {
  geo: string;
  state: string;
  progressPercent: number;
  primaryKeyUri: string | undefined;
  secondaryKeyUri: string | undefined;
  recoveryEnabled: boolean;
}

/** Reads every geo's policy, and (when it can) the sites per geo. */
export interface SharePointPolicyReader {
  list(options: { abortSignal?: AbortSignal }): Promise<SharePointPolicyView[]>;
  /** Sites per geo (`client.policies.sharePoint.countSites()` fits); the checks show it as evidence, the report's picture draws it. */
  countSites?(options: { abortSignal?: AbortSignal }): Promise<{ geos: { geo: string; sites: number }[] }>;
}

/** The site count read for the checks: per geo code (upper case, `""` single geo), or why it could not be read. */
export type SiteCountRead = { ok: true; byGeo: Map<string, number> } | { ok: false; reason: string };

/** "4 sites" (with a thousands separator), or undefined when the count is unknown. */
export const sitesText = (n: number | undefined) => (n === undefined ? undefined : `${n.toLocaleString("en-US")} site${n === 1 ? "" : "s"}`);

/** The evidence a site count adds to a geo's outcome. */
function withSiteCount(outcome: Outcome, policy: SharePointPolicyView, count: SiteCountRead | undefined): Outcome {
  if (!count) return outcome;
  if (!count.ok) return { ...outcome, evidence: `${outcome.evidence} Sites not counted: ${count.reason}` };
  const n = count.byGeo.get(policy.geo.toUpperCase()) ?? 0;
  const done = is(policy.state, "Registered") ? ", all under these keys" : is(policy.state, "Registering") || is(policy.state, "Rolling") ? `, ${policy.progressPercent} % done` : "";
  return { ...outcome, evidence: `${outcome.evidence} ${sitesText(n)} in this geo (Graph sites/getAllSites)${done}.` };
}

const is = (state: string, name: string) => state.toLowerCase() === name.toLowerCase();
const vaultOf = (uri: string | undefined) => {
  try {
    return uri ? new URL(uri).hostname.split(".")[0]!.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
};

/** The outcome for one geo's policy, judged for the target's vault pair. */
export function sharePointStateOutcome(policy: SharePointPolicyView, target: NormalizedTarget): Outcome {
  const geo = policy.geo ? `, geo: "${policy.geo}"` : "";
  const geoParam = policy.geo ? ` (on the geo's admin site)` : "";
  const [p, s] = target.members;
  const keys = `${p.keyName ?? "<primary key>"} in ${p.vaultName}, ${s.keyName ?? "<secondary key>"} in ${s.vaultName}`;
  const register = `client.policies.sharePoint.beginRegister({ primaryKeyUri, secondaryKeyUri${geo} }) (${keys}). PowerShell${geoParam}: Register-SPODataEncryptionPolicy -PrimaryKeyVaultName ${p.vaultName} -PrimaryKeyName ${p.keyName ?? "<name>"} -PrimaryKeyVersion <version> -SecondaryKeyVaultName ${s.vaultName} -SecondaryKeyName ${s.keyName ?? "<name>"} -SecondaryKeyVersion <version>`;
  if (policy.recoveryEnabled || is(policy.state, "Recovering")) {
    return { status: "fail", evidence: `SharePoint Online is in recovery mode (state ${policy.state}).`, remediation: `client.policies.sharePoint.beginRecover({ primaryKeyUri, secondaryKeyUri${geo} }). PowerShell${geoParam}: Restore-SPODataEncryptionPolicy -PrimaryKeyVaultName ... -SecondaryKeyVaultName ...` };
  }
  if (is(policy.state, "Registering") || is(policy.state, "Rolling")) {
    return {
      status: "warn",
      evidence: `${policy.state}: ${policy.progressPercent} % of sites done; primary ${policy.primaryKeyUri ?? "(none yet)"}, secondary ${policy.secondaryKeyUri ?? "(none yet)"}. No other registration or key roll is accepted until it finishes.`,
      remediation: `Wait for it: client.policies.sharePoint.get({${geo ? geo.slice(1) : ""} }) until Registered. PowerShell${geoParam}: Get-SPODataEncryptionPolicy`,
    };
  }
  if (is(policy.state, "Registered")) {
    const inUse = [vaultOf(policy.primaryKeyUri), vaultOf(policy.secondaryKeyUri)];
    const evidence = `Registered with primary ${policy.primaryKeyUri ?? "?"} and secondary ${policy.secondaryKeyUri ?? "?"}.`;
    if (target.workload === "sharePoint" && !(inUse.includes(p.vaultName.toLowerCase()) && inUse.includes(s.vaultName.toLowerCase()))) {
      return {
        status: "warn",
        evidence: `${evidence} Those are not the keys of this pair (${p.vaultName}, ${s.vaultName}).`,
        remediation: `To move onto this pair, roll each key: client.policies.sharePoint.beginRollKey({ keyType: "primary", keyUri${geo} }), then "secondary". PowerShell${geoParam}: Update-SPODataEncryptionPolicy -KeyType Primary -KeyVaultName ${p.vaultName} -KeyName <name> -KeyVersion <version>`,
      };
    }
    return { status: "pass", evidence };
  }
  // Unregistered: a failure for a SharePoint pair; for a pair of another workload, something to know.
  return { status: target.workload === "sharePoint" ? "fail" : "warn", evidence: `SharePoint Online is ${policy.state}: SharePoint and OneDrive data are not under Customer Key.`, remediation: register };
}

/** One `policy.sharePoint.state` task per geo; with `siteCounts`, each geo's evidence gives its number of sites. */
export function sharePointPolicyChecks(policies: readonly SharePointPolicyView[], target: NormalizedTarget, siteCounts?: () => Promise<SiteCountRead>): CheckTask[] {
  return policies.map((policy) => ({
    id: "policy.sharePoint.state" as const,
    target: policy.geo ? `SharePoint Online, geo ${policy.geo}` : "SharePoint Online",
    run: async () => withSiteCount(sharePointStateOutcome(policy, target), policy, siteCounts ? await siteCounts() : undefined),
  }));
}
