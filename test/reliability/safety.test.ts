/**
 * Issue 14, reliability: safety. Every public method of CustomerKeyClient's operation interfaces
 * (enumerated at runtime from the objects and from the API report etc/customer-key.api.md, which is
 * generated from src/index.ts's types) and every CLI command is classified; a method or command the
 * table does not know fails the test, so a new one must be classified here. The ones that could
 * delete, purge, revoke or replace refuse without their named confirmation (nothing mutating sent),
 * or refuse outright where the SDK never overwrites (a restore over a live key). No permission set
 * the SDK grants an administrator holds delete or purge.
 */
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startM365Scenario, type M365Scenario } from "../../examples/m365-setup.js";
import type { VaultCoordinates } from "../../src/index.js";
import { pairSpecOf } from "./onboarding-flow.js";
import { createProgram } from "../../src/cli/program.js";
import { ConfirmationRequiredError, CustomerKeyError, parseOnboardingConfig, type CustomerKeyClient } from "../../src/index.js";
import { ADMIN_KEY_PERMISSIONS, customerKeyAdminRoleDefinition } from "../../src/rules/access-model.js";
import { registerDoNotCancelApproved } from "../helpers/do-not-cancel.js";

/**
 * read: changes nothing. additive: only creates or adds, never removes or overwrites (idempotent).
 * confirm: deletes, purges, revokes or replaces: refuses without its named confirmation (tested below).
 * refuses: could overwrite, but the SDK refuses when something is there (tested below).
 * reversible: changes a setting the same method changes back (no data lost), listed in the report.
 */
type Kind = "read" | "additive" | "confirm" | "refuses" | "reversible";
const CLASSIFIED: Record<string, Kind> = {
  "client.validate": "read",
  "client.beginRollRootKey": "additive", // a new key version; the old one is never disabled or deleted
  "subscriptions.get": "read",
  "subscriptions.getDoNotCancelState": "read",
  "subscriptions.beginRegisterDoNotCancel": "additive",
  "vaultPairs.plan": "read",
  "vaultPairs.beginApply": "additive", // creates vaults, grants, roles; removes none (ADMIN_HAS_DELETE is a warning only)
  "vaultPairs.formatPlan": "read",
  "vaultPairs.listAccess": "read",
  "vaultPairs.grantAdministrator": "additive",
  "vaultPairs.revokeAccess": "confirm",
  "vaultPairs.suggestVaultNames": "read",
  "keys.create": "additive",
  "keys.import": "additive",
  "keys.roll": "additive",
  "keys.clearExpiry": "reversible",
  "keys.recover": "additive", // brings a soft-deleted key back
  "keys.get": "read",
  "keys.getKeyUri": "read",
  "keys.listVersions": "read",
  "keys.rootKey": "read",
  "backups.backupKey": "additive", // never writes over another file
  "backups.verify": "read",
  "backups.restoreKey": "refuses",
  "backups.newestVerifiedBackup": "read",
  "directory.findUser": "read",
  "directory.findServicePrincipalByAppId": "read",
  "directory.findByObjectId": "read",
  "directory.resolve": "read",
  "policies.exchange.create": "additive", // the same name with other keys is ERR_POLICY_CONFLICT
  "policies.exchange.get": "read",
  "policies.exchange.list": "read",
  "policies.exchange.refresh": "additive",
  "policies.exchange.setEnabled": "reversible",
  "policies.exchange.assign": "reversible",
  "policies.exchange.beginAssign": "reversible",
  "policies.exchange.getMailboxEncryption": "read",
  "policies.exchange.countMailboxesByPolicy": "read",
  "policies.exchange.requestPermanentDataPurge": "confirm",
  "policies.multiWorkload.create": "additive",
  "policies.multiWorkload.get": "read",
  "policies.multiWorkload.list": "read",
  "policies.multiWorkload.refresh": "additive",
  "policies.multiWorkload.setEnabled": "reversible",
  "policies.multiWorkload.assign": "confirm", // replacing the tenant's assignment needs replaceConfirm
  "policies.multiWorkload.getAssignment": "read",
  "policies.sharePoint.beginRegister": "additive", // another registration is ERR_SHAREPOINT_POLICY_CONFLICT
  "policies.sharePoint.get": "read",
  "policies.sharePoint.list": "read",
  "policies.sharePoint.countSites": "read",
  "policies.sharePoint.beginRollKey": "additive", // the roll: the key's new version, same vault
  "policies.sharePoint.beginRecover": "additive",
  "onboarding.plan": "read",
  "onboarding.beginApply": "additive", // creates what the configuration lists; never revokes, purges or replaces (it calls multiWorkload.assign without replaceConfirm; moves a mailbox off another Exchange DEP only when reassignFrom names it, tested below)
};
const CLI_COMMANDS: Record<string, Kind> = {
  "emulator start": "additive",
  init: "additive", // writes a sample configuration; refuses to overwrite a file without --force
  plan: "read",
  apply: "additive", // client.onboarding.beginApply: never revokes, purges or replaces
  validate: "read",
  status: "read",
  backup: "additive", // new backup files; never writes over another
  roll: "additive", // client.beginRollRootKey: a new key version, the old one stays
  demo: "additive", // against its own embedded emulator only
};

/** Own methods of an object's class (getters excluded). */
function methodsOf(value: object): string[] {
  const proto = Object.getPrototypeOf(value) as object;
  return Object.getOwnPropertyNames(proto).filter((name) => name !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === "function");
}

function runtimeMethods(client: CustomerKeyClient): string[] {
  const groups: [string, object][] = [
    ["subscriptions", client.subscriptions],
    ["vaultPairs", client.vaultPairs],
    ["keys", client.keys],
    ["backups", client.backups],
    ["directory", client.directory],
    ["policies.exchange", client.policies.exchange],
    ["policies.multiWorkload", client.policies.multiWorkload],
    ["policies.sharePoint", client.policies.sharePoint],
    ["onboarding", client.onboarding],
  ];
  // Any other operation group on the client or under policies is new: it must be listed above.
  const known = new Set(groups.map(([name]) => name.split(".")[0]));
  const unlisted = [
    ...Object.keys(client).filter((k) => !known.has(k) && typeof (client as unknown as Record<string, unknown>)[k] === "object").map((k) => `${k}.*`),
    ...Object.keys(client.policies).filter((k) => !["exchange", "multiWorkload", "sharePoint"].includes(k)).map((k) => `policies.${k}.*`),
  ];
  return [...unlisted, ...methodsOf(client).map((m) => `client.${m}`), ...groups.flatMap(([name, obj]) => methodsOf(obj).map((m) => `${name}.${m}`))];
}

/** Methods declared by the `*Operations` interfaces in the API report (the public types). */
function reportedMethods(): string[] {
  const report = readFileSync(path.join(import.meta.dirname, "../../etc/customer-key.api.md"), "utf8").replace(/\r\n/g, "\n");
  const group: Record<string, string> = {
    SubscriptionsOperations: "subscriptions", VaultPairsOperations: "vaultPairs", KeysOperations: "keys", BackupsOperations: "backups", DirectoryOperations: "directory",
    ExchangePoliciesOperations: "policies.exchange", MultiWorkloadPoliciesOperations: "policies.multiWorkload", SharePointPoliciesOperations: "policies.sharePoint",
    OnboardingOperations: "onboarding",
  };
  const out: string[] = [];
  for (const match of report.matchAll(/^export interface (\w+Operations) \{\n([\s\S]*?)\n\}/gm)) {
    const name = match[1]!;
    if (name === "PoliciesOperations") continue;
    const prefix = group[name] ?? `${name}?`;
    for (const m of match[2]!.matchAll(/^ {4}(\w+)\(/gm)) out.push(`${prefix}.${m[1]}`);
  }
  return out;
}

/** The Exchange and multi-workload pairs, each key backed up, with the fields the tests below use. */
let scenario: M365Scenario & { primary: VaultCoordinates; secondary: VaultCoordinates; keyUris: string[]; m365KeyUris: string[] };

beforeAll(async () => {
  const base = await startM365Scenario(["exchange", "multiWorkload"]);
  // Do-Not-Cancel on both subscriptions: keys need Recoverable+ProtectedSubscription to back a policy.
  await registerDoNotCancelApproved(base.client, base.emulator);
  const spec = pairSpecOf(base.emulator, "exchange");
  const ref = (m: typeof spec.primary): VaultCoordinates => ({ subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup, vaultName: m.vaultName });
  const { exchange, multiWorkload } = base.keys;
  scenario = Object.assign(base, { primary: ref(spec.primary), secondary: ref(spec.secondary), keyUris: [exchange!.primary, exchange!.secondary], m365KeyUris: [multiWorkload!.primary, multiWorkload!.secondary] });
}, 60_000);

afterAll(async () => {
  await scenario?.stop();
});

async function refusal(call: () => Promise<unknown>): Promise<{ error: unknown; mutating: number }> {
  const seq = scenario.emulator.requests.size;
  const error = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
  return { error, mutating: scenario.emulator.requests.mutating(seq).filter((e) => e.service !== "identity").length };
}

describe("safety: every public method and CLI command classified", () => {
  it("the runtime objects and the public types list no method the table does not classify", () => {
    const runtime = runtimeMethods(scenario.client);
    const reported = reportedMethods();
    expect(reported.length).toBeGreaterThan(40);
    expect(runtime.filter((m) => !(m in CLASSIFIED))).toEqual([]);
    expect(reported.filter((m) => !(m in CLASSIFIED))).toEqual([]);
    // Every classified method exists (the table does not rot).
    expect(Object.keys(CLASSIFIED).filter((m) => !runtime.includes(m))).toEqual([]);
  });

  it("every CLI command is classified", () => {
    const program = createProgram({ io: { out: () => {}, err: () => {} } } as never);
    const walk = (command: typeof program, prefix: string[]): string[] =>
      command.commands.flatMap((c) => (c.commands.length ? walk(c, [...prefix, c.name()]) : [[...prefix, c.name()].join(" ")]));
    const commands = walk(program, []).filter((c) => c !== "help");
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((c) => !(c in CLI_COMMANDS))).toEqual([]);
  });

  it("vaultPairs.revokeAccess refuses without confirm naming the principal", async () => {
    const { client, primary, emulator } = scenario;
    const admin = emulator.admin.userPrincipalName;
    for (const options of [{}, { confirm: "" }, { confirm: "someone-else@contoso.onmicrosoft.com" }]) {
      const { error, mutating } = await refusal(() => client.vaultPairs.revokeAccess(primary, admin, options as never));
      expect(error).toBeInstanceOf(ConfirmationRequiredError);
      expect((error as Error).message).toContain(`confirm: ${JSON.stringify(admin)}`);
      expect(mutating).toBe(0);
    }
    // A Microsoft 365 service principal needs a second, separate flag even with the confirmation.
    const exo = (await client.vaultPairs.listAccess(primary)).find((a) => a.principalKind === "servicePrincipal");
    expect(exo).toBeDefined();
    const { error, mutating } = await refusal(() => client.vaultPairs.revokeAccess(primary, exo!.objectId, { confirm: exo!.objectId }));
    expect((error as CustomerKeyError).code).toBe("ERR_REVOKE_MICROSOFT_365");
    expect(mutating).toBe(0);
  });

  it("policies.exchange.requestPermanentDataPurge refuses without confirm naming the policy", async () => {
    const { client, keyUris } = scenario;
    await client.policies.exchange.create({ name: "Purge_candidate", keyUris });
    for (const confirm of [undefined, "", "purge_candidate ", "Other_policy"]) {
      const { error, mutating } = await refusal(() => client.policies.exchange.requestPermanentDataPurge("Purge_candidate", { reason: "exit", contact: "admin@contoso.com", confirm } as never));
      expect(error).toBeInstanceOf(ConfirmationRequiredError);
      expect((error as Error).message).toContain("confirm: 'Purge_candidate'");
      expect(mutating).toBe(0);
    }
    expect((await client.policies.exchange.get("Purge_candidate"))?.permanentDataPurgeRequested ?? false).toBe(false);
  });

  it("policies.multiWorkload.assign refuses to replace the tenant's policy without replaceConfirm naming it", async () => {
    const { client, m365KeyUris: keyUris } = scenario;
    await client.policies.multiWorkload.create({ name: "Tenant_a", keyUris });
    await client.policies.multiWorkload.create({ name: "Tenant_b", keyUris });
    await client.policies.multiWorkload.assign("Tenant_a");
    for (const replaceConfirm of [undefined, "Tenant_b", "tenant_a "]) {
      const { error, mutating } = await refusal(() => client.policies.multiWorkload.assign("Tenant_b", replaceConfirm === undefined ? {} : { replaceConfirm }));
      expect(error).toBeInstanceOf(ConfirmationRequiredError);
      expect((error as Error).message).toContain("replaceConfirm: 'Tenant_a'");
      expect(mutating).toBe(0);
    }
    expect((await client.policies.multiWorkload.getAssignment())?.policyName).toBe("Tenant_a");
    // With the confirmation it replaces, and says so.
    expect((await client.policies.multiWorkload.assign("Tenant_b", { replaceConfirm: "Tenant_a" })).replaced).toBe("Tenant_a");
  });

  it("onboarding.beginApply never moves a mailbox off another Exchange policy unless reassignFrom names that policy", async () => {
    const { client, emulator, keyUris, backupDirectory } = scenario;
    const [a, b] = emulator.subscriptionIds as [string, string];
    await client.policies.exchange.create({ name: "Safety_eu", keyUris });
    await client.policies.exchange.create({ name: "Safety_us", keyUris });
    const boxes = emulator.exchange.listMailboxes({ offset: 150, limit: 2 }).map((m) => m.userPrincipalName);
    for (const box of boxes) await client.policies.exchange.assign(box, "Safety_eu");
    // No vault pair: the policies' keys are given, so the plan is Do-Not-Cancel (registered), the policy (exists) and the assignment.
    const configOf = (reassignFrom?: string[]) =>
      parseOnboardingConfig({
        tenantId: emulator.tenantId,
        subscriptions: { primary: a, secondary: b },
        administrators: [emulator.admin.userPrincipalName],
        backups: { directories: [backupDirectory, path.join(backupDirectory, "offline")] },
        vaultPairs: {},
        policies: { exchange: [{ name: "Safety_us", keyUris: keyUris as [string, string], mailboxes: { list: boxes }, ...(reassignFrom ? { reassignFrom } : {}) }] },
        microsoft: { onboardingRequestSubmitted: true },
      });
    for (const reassignFrom of [undefined, ["Other_policy"]]) {
      const plan = await client.onboarding.plan(configOf(reassignFrom));
      expect(plan.steps.find((s) => s.id === "assignments/exchange/Safety_us")?.kind).toBe("check");
      const { error, mutating } = await refusal(() => client.onboarding.beginApply(plan).pollUntilDone());
      expect((error as CustomerKeyError).code).toBe("ERR_MAILBOX_HAS_OTHER_POLICY");
      expect((error as Error).message).toContain('reassignFrom: ["Safety_eu"]');
      expect(mutating).toBe(0);
    }
    for (const box of boxes) expect((await client.policies.exchange.getMailboxEncryption(box)).assignedPolicyName).toBe("Safety_eu");
    // Named, it moves them: two Set-Mailbox, which the count above would have seen.
    const moved = await refusal(() => client.onboarding.plan(configOf(["Safety_eu"])).then((plan) => client.onboarding.beginApply(plan).pollUntilDone()));
    expect(moved.error).toBeUndefined();
    expect(moved.mutating).toBe(2);
    for (const box of boxes) expect((await client.policies.exchange.getMailboxEncryption(box)).assignedPolicyName).toBe("Safety_us");
  });

  it("backups.restoreKey never writes over a live key", async () => {
    const { client, primary, backupDirectory } = scenario;
    const file = (await readdir(backupDirectory)).find((f) => f.startsWith(primary.vaultName) && f.endsWith(".backup"))!;
    const { error, mutating } = await refusal(() => client.backups.restoreKey(primary, path.join(backupDirectory, file)));
    expect(error).toBeInstanceOf(CustomerKeyError);
    expect((error as CustomerKeyError).code).toBe("ERR_KEY_EXISTS");
    expect(mutating).toBe(0);
  });

  it("no permission set the SDK grants an administrator holds delete or purge", async () => {
    const forbidden = /delete|purge|^all$|\*/i;
    expect(ADMIN_KEY_PERMISSIONS.filter((p) => forbidden.test(p))).toEqual([]);
    const role = customerKeyAdminRoleDefinition(scenario.primary.subscriptionId);
    const actions = role.permissions!.flatMap((p) => [...(p.actions ?? []), ...(p.dataActions ?? [])]);
    expect(actions.filter((a) => forbidden.test(a))).toEqual([]);
    // And what the applied pair actually holds, read back from both vaults.
    const admin = scenario.emulator.admin;
    for (const vault of [scenario.primary, scenario.secondary]) {
      const entries = (await scenario.client.vaultPairs.listAccess(vault)).filter((e) => e.objectId === admin.objectId || e.principal === admin.userPrincipalName);
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) {
        expect(entry.includesDelete).toBe(false);
        expect((entry.permissions ?? []).filter((p) => forbidden.test(p))).toEqual([]);
      }
    }
  });
});
