/**
 * The README's "Against Azure" flow, run against the emulator, must end in a passing preflight
 * report (issue 11 §1), and its "Rights you need" snippet (a temporary `update` grant for
 * keys.clearExpiry) must work as written.
 *
 * Which blocks: every ```ts block under the heading "Against Azure", then every ```ts block under
 * "Rights you need" (test/helpers/readme-blocks.ts, `blocksUnder`). They run as one module.
 *
 * What is changed to run them against the emulator, and nothing else (`substitute` fails when a
 * line it replaces is gone, so the README cannot drift from this list):
 * - `new DefaultAzureCredential()` becomes the emulator credential of alice@contoso.com, the
 *   administrator the snippet names (created in the emulated directory, Owner of both
 *   subscriptions, as the operator of a real tenant would be);
 * - the client options get the emulator's endpoints and agent (`...clientOptions`), and the ARM
 *   client of the grant snippet gets them as its third argument;
 * - the placeholders `"<tenant id>"`, `"<sub A>"`, `"<sub B>"`, `"<admin object id>"` become the
 *   emulator's values, `https://contoso-exo-eu-a1.vault.azure.net` its URL of that vault, and
 *   `"./backups"` a temporary directory;
 * - where reality waits (`// … days later …`): Microsoft's approval of Do-Not-Cancel, which the
 *   emulator grants on both subscriptions, and five days on the emulator clock.
 * Between the two sections the test gives the primary key an expiry (so that clearExpiry has
 * something to fix) and checks that clearExpiry without the grant is refused with a 403 that
 * names the missing permission.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { CustomerKeyClient, isCustomerKeyError, type PreflightReport } from "../src/index.js";
import { blocksUnder, readReadme, resolvePackageImports, runModule, substitute } from "./helpers/readme-blocks.js";

const OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const ALICE = "alice@contoso.com";

let emulator: Emulator;
let backups: string;

beforeAll(async () => {
  emulator = await startEmulator();
  backups = mkdtempSync(path.join(tmpdir(), "ck-readme-"));
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(backups, { recursive: true, force: true });
});

function clientOptions() {
  return {
    endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
    ...emulator.clientOptions(),
    pollIntervalInMs: 20,
  };
}

describe("README: Against Azure", () => {
  it("the complete flow for both members ends in a passing report, and the temporary update grant fixes an expiry", async () => {
    const readme = readReadme();
    const flow = blocksUnder(readme, "Against Azure");
    const rights = blocksUnder(readme, "Rights you need");
    expect(flow).toHaveLength(1);
    expect(rights).toHaveLength(1);

    const alice = emulator.directory.createUser({ userPrincipalName: ALICE });
    const [subA, subB] = emulator.subscriptionIds as [string, string];
    for (const id of [subA, subB]) emulator.assignRole({ scope: `/subscriptions/${id}`, roleId: OWNER_ROLE, principalId: alice.objectId });
    const credential = emulator.credentialFor(ALICE);
    const vaultA = emulator.endpoints.vaultUrl("contoso-exo-eu-a1").replace(/\/+$/, "");

    const hooks = {
      credential,
      clientOptions: clientOptions(),
      armOptions: { endpoint: emulator.endpoints.resourceManager, credentials: { scopes: ["https://management.azure.com/.default"] }, ...emulator.clientOptions() },
      async daysLater() {
        // Microsoft approves Do-Not-Cancel in about five business days.
        for (const id of [subA, subB]) emulator.approveDoNotCancel(id);
        emulator.clock.advance({ days: 5 });
      },
      async beforeGrant() {
        // An expiry to fix: set by another principal that holds update (the emulator's seeded admin).
        const arm = new KeyVaultManagementClient(credential, subA, hooks.armOptions);
        await arm.vaults.updateAccessPolicy("rg-ck-a", "contoso-exo-eu-a1", "add", {
          properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: emulator.admin.objectId, permissions: { keys: ["get", "update"] } }] },
        });
        const raw = new KeyClient(vaultA, emulator.credentialFor(emulator.admin.userPrincipalName), emulator.clientOptions());
        await raw.updateKeyProperties("exo-root", { expiresOn: new Date("2030-01-01T00:00:00Z") });
        // Without the grant, the administrator's clearExpiry ends in a 403 that names what is missing.
        const client = new CustomerKeyClient(credential, { tenantId: emulator.tenantId, ...clientOptions() });
        const error = await client.keys.clearExpiry(`${vaultA}/keys/exo-root`).catch((e: unknown) => e);
        expect(isCustomerKeyError(error) && error.code).toBe("ERR_SERVICE_FORBIDDEN");
        expect((error as Error).message).toMatch(/missing .*keys update permission/i);
      },
    };
    (globalThis as { __readme?: unknown }).__readme = hooks;

    const flowCode = substitute(flow[0]!.code, [
      ['new CustomerKeyClient(new DefaultAzureCredential(), { tenantId: "<tenant id>" })', 'new CustomerKeyClient(__readme.credential, { tenantId: "<tenant id>", ...__readme.clientOptions })'],
      ["// … days later …", "await __readme.daysLater();"],
      ['"./backups"', JSON.stringify(backups)],
    ]);
    const rightsCode = substitute(rights[0]!.code, [
      ['new KeyVaultManagementClient(new DefaultAzureCredential(), "<sub A>")', 'new KeyVaultManagementClient(__readme.credential, "<sub A>", __readme.armOptions)'],
      ['"<admin object id>"', JSON.stringify(alice.objectId)],
      ["https://contoso-exo-eu-a1.vault.azure.net", vaultA],
    ]);
    const placeholders: [string, string][] = [
      ['"<tenant id>"', JSON.stringify(emulator.tenantId)],
      ['"<sub A>"', JSON.stringify(subA)],
      ['"<sub B>"', JSON.stringify(subB)],
    ];
    let code = [
      "const __readme = (globalThis as any).__readme;",
      flowCode,
      "await __readme.beforeGrant();",
      rightsCode,
      "export { report, keyUris };",
    ].join("\n");
    code = resolvePackageImports(substitute(code, placeholders));
    // No placeholder is left unreplaced.
    expect(code.match(/"<[^>"]+>"/g) ?? []).toEqual([]);

    const result = await runModule<{ report: PreflightReport; keyUris: string[] }>(code, "readme-against-azure");
    expect(result.report.ok, result.report.toMarkdown()).toBe(true);
    expect(result.report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id} ${c.status}: ${c.evidence}`)).toEqual([]);
    expect(result.keyUris).toHaveLength(2);

    // The grant snippet fixed the expiry and took back only `update`.
    const raw = new KeyClient(vaultA, emulator.credentialFor(emulator.admin.userPrincipalName), emulator.clientOptions());
    expect((await raw.getKey("exo-root")).properties.expiresOn?.toISOString()).toBe("9999-12-31T00:00:00.000Z");
    const arm = new KeyVaultManagementClient(credential, subA, hooks.armOptions);
    const policies = (await arm.vaults.get("rg-ck-a", "contoso-exo-eu-a1")).properties?.accessPolicies ?? [];
    const alicePermissions = policies.find((p) => p.objectId === alice.objectId)?.permissions?.keys ?? [];
    expect(alicePermissions).not.toContain("update");
    expect(alicePermissions).toEqual(expect.arrayContaining(["create", "get", "backup"]));
  });

  it("compiles as written under --strict (with noUncheckedIndexedAccess)", () => {
    const readme = readReadme();
    const code = [...blocksUnder(readme, "Against Azure"), ...blocksUnder(readme, "Rights you need")].map((b) => b.code).join("\n");
    const dir = path.resolve("test/.readme-run");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, ".gitignore"), "*\n");
    const file = path.join(dir, `typecheck-${process.pid}.ts`);
    writeFileSync(file, `${resolvePackageImports(code)}\nexport {};\n`);
    try {
      const tsc = spawnSync(process.execPath, [path.resolve("node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--noUncheckedIndexedAccess", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--allowImportingTsExtensions", file], { encoding: "utf8" });
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
