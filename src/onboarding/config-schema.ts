/**
 * The onboarding configuration (`customer-key.config.json` / `.yaml`) as a zod schema. Unknown
 * fields are errors (strict objects); names, regions and key URIs are checked with the same rules
 * the modules apply (rules/), so a bad name fails at parse time with the module's own message.
 */
import { z } from "zod";
import { isGuid } from "../rules/ids.js";
import { vaultNameProblems } from "../rules/vault-naming.js";
import { arePaired, isKnownRegion, normalizeRegion } from "../rules/regions.js";
import { EXCHANGE_POLICY_LIMIT, parsePolicyKeyUri, policyNameProblems } from "../rules/data-encryption-policy.js";
import { isPrincipalReference } from "../rules/vault-pair-spec.js";
import { isMailboxIdentity } from "../rules/mailbox-identity.js";
import type { OnboardingConfig } from "./config-types.js";

const guid = (what: string) =>
  z.string().refine(isGuid, { message: `must be ${what} (a GUID, e.g. 00000000-0000-0000-0000-000000000000)` });

const principal = z.string().refine(isPrincipalReference, {
  message: "is neither a user principal name (name@domain) nor an object id (GUID)",
});

const vaultName = z.string().superRefine((name, ctx) => {
  const problems = vaultNameProblems(name);
  if (problems.length > 0) {
    ctx.addIssue({ code: "custom", message: `'${name}' is not a valid Key Vault name: it ${problems.join("; it ")}` });
  }
});

const region = z.string().refine(isKnownRegion, { message: "is not a known Azure region (use an ARM name such as 'westeurope')" });

const vault = z.strictObject({
  resourceGroup: z.string().regex(/^[-\p{L}\p{N}_.()]{1,90}$/u, "is not a valid resource group name (1–90 letters, digits, '_', '-', '.', '(', ')')").describe("Resource group of the vault; created when missing."),
  location: region.describe("ARM region name, e.g. westeurope."),
  vaultName: vaultName.describe("Vault name: 3–24 letters, digits and single hyphens, starting with a letter (globally unique)."),
});

const keyName = z.string().regex(/^[0-9A-Za-z-]{1,127}$/, "must be 1–127 letters, digits and hyphens");

const vaultPair = z
  .strictObject({
    primary: vault,
    secondary: vault,
    keyName: keyName.describe("The root key's name in both vaults."),
    allowPairedRegions: z.boolean().optional().describe("Accept two paired Azure regions (Microsoft advises two non-paired regions)."),
  })
  .superRefine((pair, ctx) => {
    if (pair.primary.vaultName.toLowerCase() === pair.secondary.vaultName.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["secondary", "vaultName"], message: `both vaults are named '${pair.primary.vaultName}'; vault names are global, use two different names` });
    }
    const [a, b] = [pair.primary.location, pair.secondary.location];
    if (isKnownRegion(a) && isKnownRegion(b)) {
      if (normalizeRegion(a) === normalizeRegion(b)) {
        ctx.addIssue({ code: "custom", path: ["secondary", "location"], message: `both vaults are in ${normalizeRegion(a)}; put them in two different regions` });
      } else if (arePaired(a, b) && pair.allowPairedRegions !== true) {
        ctx.addIssue({ code: "custom", path: ["secondary", "location"], message: `${normalizeRegion(a)} and ${normalizeRegion(b)} are an Azure region pair; Microsoft advises two non-paired regions (choose another region, or set allowPairedRegions: true)` });
      }
    }
  });

const policyName = z.string().superRefine((name, ctx) => {
  // Without the SDK's hint to pass allowSpacesInName: that is an option of policies.*.create, not a field of this file.
  const problems = policyNameProblems(name).map((p) => p.replace(/; pass allowSpacesInName: true to allow them/, ""));
  if (problems.length > 0) ctx.addIssue({ code: "custom", message: `'${name.slice(0, 80)}' is not a valid data encryption policy name: ${problems.join("; ")}` });
});

const keyUri = z.string().refine((uri) => parsePolicyKeyUri(uri) !== undefined, {
  message: "is not a Key Vault key id (https://<vault>.vault.azure.net/keys/<name>[/<version>])",
});

const workload = z.enum(["exchange", "sharePoint", "multiWorkload"]);

/** Where a policy's two keys come from: a vault pair of this file, or two key URIs. */
const policyKeys = {
  vaultPair: workload.optional(),
  keyUris: z.tuple([keyUri, keyUri]).optional(),
};

const mailboxes = z.union([
  z.strictObject({
    list: z
      .array(z.string().min(1).refine(isMailboxIdentity, { message: "is not a mailbox identity (a UPN, alias, GUID or SMTP address, with no line break or control character)" }))
      .min(1),
  }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ allWithoutPolicy: z.literal(true) }),
]);

const exchangePolicy = z.strictObject({
  name: policyName,
  description: z.string().max(256).optional(),
  ...policyKeys,
  mailboxes: mailboxes.optional().describe("The mailboxes: { list: [...] }, { file: 'one address per line' } or { allWithoutPolicy: true }."),
  reassignFrom: z
    .array(policyName)
    .min(1)
    .optional()
    .describe("Policies whose mailboxes in mailboxes.list or mailboxes.file may be moved to this one (a move re-encrypts the mailbox under this policy's keys). Without it, apply refuses, before any mailbox changes, when a listed mailbox has another policy."),
});

const sharePointPolicy = z.strictObject({
  geo: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter geo code such as NAM or EUR").optional(),
  ...policyKeys,
});

const multiWorkloadPolicy = z.strictObject({
  name: policyName,
  description: z.string().max(256).optional(),
  ...policyKeys,
  assign: z.boolean().default(true),
});

/** The onboarding configuration schema (zod). */
export const onboardingConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    tenantId: guid("the Entra tenant id").describe("The Entra tenant id (GUID)."),
    subscriptions: z.strictObject({ primary: guid("a subscription id"), secondary: guid("a subscription id") }).describe("The two subscriptions: every vault pair has one vault in each."),
    administrators: z.array(principal).min(1, "list at least one key-vault administrator").describe("Key-vault administrators (UPN or object id) on every vault."),
    permissionModel: z.enum(["accessPolicy", "rbac"]).default("accessPolicy"),
    keys: z.strictObject({
      size: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).default(3072),
      protection: z.enum(["hsm", "software"]).default("hsm"),
    }).prefault({}),
    backups: z.strictObject({
      directories: z.array(z.string().min(1)).min(2, "list at least two backup directories (an online and an offline copy)"),
    }).describe("Backup directories (at least two: online and offline copies); relative to the configuration file."),
    vaultPairs: z.strictObject({ exchange: vaultPair.optional(), sharePoint: vaultPair.optional(), multiWorkload: vaultPair.optional() }).describe("One vault pair per workload."),
    policies: z
      .strictObject({
        exchange: z.array(exchangePolicy).max(EXCHANGE_POLICY_LIMIT, `a tenant holds at most ${EXCHANGE_POLICY_LIMIT} Exchange data encryption policies`).default([]),
        sharePoint: z.array(sharePointPolicy).default([]),
        multiWorkload: multiWorkloadPolicy.optional(),
      })
      .prefault({}),
    microsoft: z
      .strictObject({
        onboardingRequestSubmitted: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.subscriptions.primary.toLowerCase() === config.subscriptions.secondary.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["subscriptions", "secondary"], message: "both subscriptions are the same; Customer Key needs each vault of a pair in its own subscription" });
    }
    const names = new Set<string>();
    config.policies.exchange.forEach((p, i) => {
      if (names.has(p.name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["policies", "exchange", i, "name"], message: `policy '${p.name}' is listed twice` });
      names.add(p.name.toLowerCase());
    });
    const checkKeys = (p: { vaultPair?: string | undefined; keyUris?: [string, string] | undefined }, path: (string | number)[]) => {
      if ((p.vaultPair === undefined) === (p.keyUris === undefined)) {
        ctx.addIssue({ code: "custom", path, message: "give exactly one of vaultPair (a workload of vaultPairs) or keyUris (two key URIs)" });
      } else if (p.vaultPair !== undefined && !config.vaultPairs[p.vaultPair as "exchange"]) {
        ctx.addIssue({ code: "custom", path: [...path, "vaultPair"], message: `vaultPairs.${p.vaultPair} is not in this file` });
      } else if (p.keyUris) {
        const [a, b] = p.keyUris.map((u) => parsePolicyKeyUri(u));
        if (a && b && a.vaultUrl === b.vaultUrl) ctx.addIssue({ code: "custom", path: [...path, "keyUris"], message: `both keys are in ${a.vaultUrl}; a policy needs one key in each of two vaults` });
      }
    };
    config.policies.exchange.forEach((p, i) => checkKeys(p, ["policies", "exchange", i]));
    config.policies.exchange.forEach((p, i) => {
      if (!p.reassignFrom) return;
      // allWithoutPolicy never takes a mailbox that has a policy: a move needs the mailboxes named.
      if (!p.mailboxes || "allWithoutPolicy" in p.mailboxes) ctx.addIssue({ code: "custom", path: ["policies", "exchange", i, "reassignFrom"], message: "moves mailboxes named in mailboxes.list or mailboxes.file; give one of those, or drop reassignFrom" });
      if (p.reassignFrom.some((n) => n.toLowerCase() === p.name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["policies", "exchange", i, "reassignFrom"], message: `names the policy itself ('${p.name}')` });
    });
    config.policies.sharePoint.forEach((p, i) => checkKeys(p, ["policies", "sharePoint", i]));
    if (config.policies.multiWorkload) checkKeys(config.policies.multiWorkload, ["policies", "multiWorkload"]);
  });

// The public types (config-types.ts) are written out for TSDoc; these lines keep them equal to the schema.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const outputMatches: Same<z.output<typeof onboardingConfigSchema>, OnboardingConfig> = true;
void outputMatches;
