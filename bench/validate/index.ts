/**
 * validate() benchmark: N Exchange vault pairs in the emulator, 50 ms injected latency on every
 * ARM, Key Vault and Graph request. All N validate() calls run at once on one client with
 * maxConcurrency 8 (the client-wide limit bounds requests in flight), beside the same calls on a
 * client with maxConcurrency 1 (every request one after the other), in the same process.
 *
 *   node --import tsx bench/validate/index.ts            # 50 pairs
 *   node --import tsx bench/validate/index.ts --quick    # 10 pairs (or BENCH_QUICK=1)
 *   BENCH_CONCURRENCY=16 BENCH_LATENCY_MS=20 ...          # other settings
 */
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceManagementClient } from "@azure/arm-resources";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, type ValidationTarget } from "../../src/index.js";
import { mapWithConcurrency } from "../../src/internal/concurrency.js";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const pairs = Number(process.env.BENCH_PAIRS ?? (quick ? 10 : 50));
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

function clientFor(emulator: Emulator, maxConcurrency: number, credential = emulator.credentialFor(emulator.admin.userPrincipalName)) {
  return new CustomerKeyClient(credential, {
    tenantId: emulator.tenantId,
    endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
    ...emulator.clientOptions(),
    pollIntervalInMs: 20,
    maxConcurrency,
  });
}


/** N pairs made quickly with the real ARM client (no latency yet): vault, access policies, key. */
async function seed(emulator: Emulator): Promise<ValidationTarget[]> {
  const client = clientFor(emulator, 8);
  const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
  const scopes = ["https://management.azure.com/.default"];
  const subscriptions = emulator.subscriptionIds as [string, string];
  for (const id of subscriptions) {
    const poller = client.subscriptions.beginRegisterDoNotCancel(id);
    await poller.poll();
    emulator.approveDoNotCancel(id);
    await poller.pollUntilDone();
  }
  const exchange = emulator.directory.findServicePrincipal(EXCHANGE_APP_ID)!;
  const regions = ["westeurope", "swedencentral"];
  await Promise.all(subscriptions.map((id) =>
    new ResourceManagementClient(credential, id, { endpoint: emulator.endpoints.resourceManager, credentialScopes: scopes, ...emulator.clientOptions() }).resourceGroups.createOrUpdate("rg-bench", { location: "westeurope" })));
  const members = Array.from({ length: pairs * 2 }, (_, i) => ({ index: i, subscriptionId: subscriptions[i % 2]!, location: regions[i % 2]!, vaultName: `bench-${Math.floor(i / 2)}-${i % 2 === 0 ? "a" : "b"}` }));
  await mapWithConcurrency(members, 8, async (m) => {
    const kvm = new KeyVaultManagementClient(credential, m.subscriptionId, { endpoint: emulator.endpoints.resourceManager, credentials: { scopes }, ...emulator.clientOptions() });
    await kvm.vaults.createOrUpdate("rg-bench", m.vaultName, {
      location: m.location,
      properties: {
        tenantId: emulator.tenantId,
        sku: { family: "A", name: "premium" },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        accessPolicies: [
          { tenantId: emulator.tenantId, objectId: emulator.admin.objectId, permissions: { keys: ["create", "import", "list", "get", "backup", "restore"] } },
          { tenantId: emulator.tenantId, objectId: exchange.objectId, permissions: { keys: ["get", "wrapKey", "unwrapKey"] } },
        ],
      },
    }, { updateIntervalInMs: 20 } as never);
    await client.keys.create({ subscriptionId: m.subscriptionId, resourceGroup: "rg-bench", vaultName: m.vaultName }, "exo-root", { size: 2048, protection: "hsm" });
  });
  return Array.from({ length: pairs }, (_, p) => {
    const member = (i: number) => ({ subscriptionId: members[i]!.subscriptionId, resourceGroup: "rg-bench", vaultName: members[i]!.vaultName, keyName: "exo-root" });
    return { workload: "exchange", primary: member(2 * p), secondary: member(2 * p + 1) };
  });
}

async function run(emulator: Emulator, targets: ValidationTarget[], maxConcurrency: number) {
  const client = clientFor(emulator, maxConcurrency);
  // Tokens are fetched before timing (identity has no injected latency anyway).
  await client.subscriptions.get(emulator.subscriptionIds[0]!);
  const since = emulator.requests.size;
  emulator.requests.resetPeak();
  const started = performance.now();
  const reports = await Promise.all(targets.map((t) => client.validate(t)));
  const ms = performance.now() - started;
  const checks = reports.reduce((n, r) => n + r.checks.length, 0);
  if (!reports.every((r) => r.ok)) throw new Error(`a report is not ok: ${reports.find((r) => !r.ok)!.toMarkdown()}`);
  return { maxConcurrency, ms, requests: emulator.requests.list().filter((e) => e.seq >= since && e.service !== "identity").length, maxInFlight: emulator.requests.peakInFlight, checks };
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  try {
    const seedStart = performance.now();
    const targets = await seed(emulator);
    console.log(`Seeded ${pairs} vault pairs (${pairs * 2} vaults, ${pairs * 2} RSA-HSM keys) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s.`);
    for (const service of ["arm", "keyvault", "graph"] as const) emulator.faults.inject({ service, latencyMs });
    const parallel = await run(emulator, targets, concurrency);
    const sequential = await run(emulator, targets, 1);
    const row = (name: string, r: typeof parallel) =>
      `| ${name.padEnd(10)} | ${String(r.maxConcurrency).padStart(14)} | ${String(r.checks).padStart(6)} | ${String(r.requests).padStart(8)} | ${(r.ms / 1000).toFixed(2).padStart(8)} s | ${String(r.maxInFlight).padStart(13)} |`;
    console.log(`\nvalidate() over ${pairs} pairs, ${latencyMs} ms injected latency per ARM/Key Vault/Graph request${quick ? " (quick)" : ""}\n`);
    console.log("| run        | maxConcurrency | checks | requests |  wall time | max in flight |");
    console.log("|------------|----------------|--------|----------|------------|---------------|");
    console.log(row("parallel", parallel));
    console.log(row("sequential", sequential));
    const speedUp = sequential.ms / parallel.ms;
    console.log(`\nspeed-up ${speedUp.toFixed(1)}× (goal ≥ 5×); max in flight ${parallel.maxInFlight} ≤ ${concurrency}: ${parallel.maxInFlight <= concurrency ? "yes" : "NO"}`);
    if (parallel.maxInFlight > concurrency || sequential.maxInFlight > 1) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
}

await main();
