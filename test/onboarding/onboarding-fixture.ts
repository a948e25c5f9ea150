import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient } from "../../src/index.js";

/** An emulator, a client on it, a temporary directory, and the configuration fields every onboarding test shares. */
export interface OnboardingFixture {
  emulator: Emulator;
  client: CustomerKeyClient;
  dir: string;
  /** Tenant, the two seeded subscriptions, the seeded admin, and two backup directories (online, offline). */
  base: {
    tenantId: string;
    subscriptions: { primary: string; secondary: string };
    administrators: string[];
    backups: { directories: string[] };
  };
  stop(): Promise<void>;
}

export async function startOnboardingFixture(name: string): Promise<OnboardingFixture> {
  const emulator = await startEmulator();
  const dir = await mkdtemp(path.join(tmpdir(), `ck-onboarding-${name}-`));
  const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10 });
  const [primary, secondary] = emulator.subscriptionIds as [string, string];
  return {
    emulator,
    client,
    dir,
    base: {
      tenantId: emulator.tenantId,
      subscriptions: { primary, secondary },
      administrators: [emulator.admin.userPrincipalName],
      backups: { directories: [path.join(dir, "online"), path.join(dir, "offline")] },
    },
    async stop() {
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
