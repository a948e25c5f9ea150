import type { Agent } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { seedVault, type SeededVault, type SeedVaultOptions } from "./arm/seed-vault.js";
import type { EmulatorCore } from "./kernel/core.js";
import { setKeyVaultBehaviour, type KeyVaultBehaviour } from "./keyvault/pending-window.js";
import { seedKey, type SeededKey, type SeedKeyOptions } from "./keyvault/seed-key.js";

/**
 * Everything a `CustomerKeyClient` needs to reach this emulator, as one options object:
 * `new CustomerKeyClient(emulator.credential(), emulator.customerKeyClientOptions())`. A plain
 * structural type (the emulator never imports the client side); it is assignable to
 * `CustomerKeyClientOptions`.
 */
export interface EmulatorCustomerKeyClientOptions {
  /** The emulated tenant's id (a GUID). */
  tenantId: string;
  /** The emulated services' URLs, in place of Azure's public cloud. */
  endpoints: {
    /** Azure Resource Manager, `https://management.localhost:{port}`. */
    resourceManager: string;
    /** Microsoft Graph, `https://graph.localhost:{port}`. */
    graph: string;
    /** Exchange Online admin endpoint, `https://outlook.localhost:{port}`. */
    exchange: string;
    /** The SharePoint admin centre of the emulated tenant. */
    sharePointAdmin: string;
  };
  /** The `https.Agent` of `clientOptions()`: trusts the emulator's CA, resolves `*.localhost` to loopback. */
  agent: Agent;
}

/** Creates vaults and keys directly in the emulator's state: test set-up without ARM calls. */
export interface EmulatorSeeder {
  /**
   * Creates a vault as a finished `Vaults_CreateOrUpdate` would leave it (its resource group too,
   * if missing). Defaults make it valid for Customer Key: premium, soft delete with 90 days,
   * purge protection, the seeded admin holding every key permission. Throws an Error for a name
   * that is invalid or taken, an unknown subscription or region.
   */
  vault(options: SeedVaultOptions): SeededVault;
  /**
   * Creates a key (or a new version) as `CreateKey` would. Defaults make it valid for Customer
   * Key: RSA-HSM 2048 (RSA on a standard vault), enabled, no expiry, all six RSA operations.
   * Resolves to its versioned id. Rejects for an unknown vault, a soft-deleted name or an
   * unsupported type, size or curve.
   */
  key(options: SeedKeyOptions): Promise<SeededKey>;
}

/** The members of `Emulator` that make it a fixture in a user's own tests. */
export interface TestFixtureMembers {
  customerKeyClientOptions(): EmulatorCustomerKeyClientOptions;
  credential(): TokenCredential;
  seed: EmulatorSeeder;
  setKeyVaultBehaviour(behaviour: Partial<KeyVaultBehaviour>): void;
}

/** Builds the fixture members on a running emulator's core. */
export function testFixtureMembers(
  core: EmulatorCore,
  clientOptions: () => { agent: Agent },
  credentialFor: (principal: string) => TokenCredential,
): TestFixtureMembers {
  const done = <T>(value: T): T => {
    core.flush();
    return value;
  };
  return {
    customerKeyClientOptions: () => ({
      tenantId: core.tenantId,
      endpoints: {
        resourceManager: core.endpoints.resourceManager,
        graph: core.endpoints.graph,
        exchange: core.endpoints.exchange,
        sharePointAdmin: core.endpoints.sharePointAdmin,
      },
      ...clientOptions(),
    }),
    credential: () => credentialFor(core.directory.users[0]!.userPrincipalName),
    seed: {
      vault: (options) => done(seedVault(core, options)),
      key: async (options) => done(await seedKey(core, options)),
    },
    setKeyVaultBehaviour: (behaviour) => setKeyVaultBehaviour(core, behaviour),
  };
}
