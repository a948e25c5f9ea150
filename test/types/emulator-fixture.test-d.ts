import type { TokenCredential } from "@azure/core-auth";
import { describe, expectTypeOf, it } from "vitest";
import type {
  Emulator,
  EmulatorCustomerKeyClientOptions,
  EmulatorSeeder,
  KeyVaultBehaviour,
  SeededKey,
  SeededVault,
  SeedKeyOptions,
  SeedVaultOptions,
} from "../../src/emulator/index.js";
import type { CustomerKeyClientOptions } from "../../src/index.js";

describe("customer-key/emulator as a test fixture", () => {
  it("customerKeyClientOptions() is assignable to CustomerKeyClientOptions, without the emulator importing client types", () => {
    expectTypeOf<Emulator["customerKeyClientOptions"]>().returns.toEqualTypeOf<EmulatorCustomerKeyClientOptions>();
    expectTypeOf<EmulatorCustomerKeyClientOptions>().toExtend<CustomerKeyClientOptions>();
    // As users write it: spread and add the client's own settings.
    const options = {} as EmulatorCustomerKeyClientOptions;
    const withPolling: CustomerKeyClientOptions = { ...options, pollIntervalInMs: 50 };
    expectTypeOf(withPolling).toExtend<CustomerKeyClientOptions>();
    expectTypeOf<Emulator["credential"]>().returns.toEqualTypeOf<TokenCredential>();
  });

  it("seeds vaults synchronously and keys asynchronously, from a name only", () => {
    expectTypeOf<Emulator["seed"]>().toEqualTypeOf<EmulatorSeeder>();
    expectTypeOf<EmulatorSeeder["vault"]>().parameters.toEqualTypeOf<[options: SeedVaultOptions]>();
    expectTypeOf<EmulatorSeeder["vault"]>().returns.toEqualTypeOf<SeededVault>();
    expectTypeOf<EmulatorSeeder["key"]>().parameters.toEqualTypeOf<[options: SeedKeyOptions]>();
    expectTypeOf<EmulatorSeeder["key"]>().returns.resolves.toEqualTypeOf<SeededKey>();
    expectTypeOf<{ name: string }>().toExtend<SeedVaultOptions>();
    expectTypeOf<{ vault: string; name: string }>().toExtend<SeedKeyOptions>();
    expectTypeOf<SeededVault>().toExtend<SeedKeyOptions["vault"]>();
    expectTypeOf<Emulator["setKeyVaultBehaviour"]>().parameters.toEqualTypeOf<[behaviour: Partial<KeyVaultBehaviour>]>();
  });
});
