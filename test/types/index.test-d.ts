/** Compile-only: pins the public types of the main entry `customer-key` (checked by vitest typecheck and tsc). */
import { describe, expectTypeOf, it } from "vitest";
import type { OperationTracingOptions } from "@azure/core-tracing";
import * as entry from "../../src/index.js";
import {
  CUSTOMER_KEY_ERROR_CODES,
  CustomerKeyClient,
  type ApplyOptions,
  type BackupKeyOptions,
  type BackupsOperations,
  type BeginRegisterDoNotCancelOptions,
  type CreateRootKeyOptions,
  type CustomerKeyError,
  type CustomerKeyErrorCode,
  type DirectoryOperations,
  type GetRootKeyOptions,
  type ImportRootKeyOptions,
  type InvalidInputError,
  type KeysOperations,
  type NewestBackupOptions,
  type OperationOptions,
  type PlanOptions,
  type RestoreKeyOptions,
  type RevokeAccessOptions,
  type RollRootKeyOptions,
  type SubscriptionsOperations,
  type ValidateOptions,
  type VaultCoordinates,
  type VaultPairsOperations,
  type VaultRef,
  type VerifyBackupsOptions,
} from "../../src/index.js";
// Type-only names that left the surface (a value check cannot see types).
// @ts-expect-error: one VaultRef now; the keys module's alias is gone
import type { KeyVaultRef } from "../../src/index.js";
// @ts-expect-error: replaced by OperationOptions
import type { KeyOperationOptions } from "../../src/index.js";
// @ts-expect-error: replaced by OperationOptions
import type { VaultOperationOptions } from "../../src/index.js";
// @ts-expect-error: replaced by OperationOptions
import type { DirectoryOperationOptions } from "../../src/index.js";

describe("customer-key public types", () => {
  it("the facade exposes operation interfaces", () => {
    expectTypeOf<CustomerKeyClient["subscriptions"]>().toEqualTypeOf<SubscriptionsOperations>();
    expectTypeOf<CustomerKeyClient["vaultPairs"]>().toEqualTypeOf<VaultPairsOperations>();
    expectTypeOf<CustomerKeyClient["keys"]>().toEqualTypeOf<KeysOperations>();
    expectTypeOf<CustomerKeyClient["backups"]>().toEqualTypeOf<BackupsOperations>();
    expectTypeOf<CustomerKeyClient["directory"]>().toEqualTypeOf<DirectoryOperations>();
    expectTypeOf<CustomerKeyClient["tenantId"]>().toEqualTypeOf<string>();
    expectTypeOf(CustomerKeyClient).constructorParameters.toMatchTypeOf<[unknown, { tenantId: string }]>();
  });

  it("every options type extends OperationOptions", () => {
    expectTypeOf<OperationOptions>().toEqualTypeOf<{ abortSignal?: AbortSignal; tracingOptions?: OperationTracingOptions }>();
    expectTypeOf<CreateRootKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<ImportRootKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<RollRootKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<GetRootKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<BackupKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<VerifyBackupsOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<RestoreKeyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<NewestBackupOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<PlanOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<ApplyOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<RevokeAccessOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<ValidateOptions>().toMatchTypeOf<OperationOptions>();
    expectTypeOf<BeginRegisterDoNotCancelOptions>().toMatchTypeOf<OperationOptions>();
    // The abort-only option types are gone: one OperationOptions for all.
    expectTypeOf<KeysOperations["recover"]>().parameter(2).toEqualTypeOf<OperationOptions | undefined>();
    expectTypeOf<DirectoryOperations["findUser"]>().parameter(1).toEqualTypeOf<OperationOptions | undefined>();
    expectTypeOf<SubscriptionsOperations["get"]>().parameter(1).toEqualTypeOf<OperationOptions | undefined>();
  });

  it("error codes are a closed union that a switch narrows", () => {
    expectTypeOf(CUSTOMER_KEY_ERROR_CODES).toMatchTypeOf<readonly CustomerKeyErrorCode[]>();
    expectTypeOf<(typeof CUSTOMER_KEY_ERROR_CODES)[number]>().toEqualTypeOf<CustomerKeyErrorCode>();
    expectTypeOf<"ERR_VAULT_NAME_INVALID">().toMatchTypeOf<CustomerKeyErrorCode>();
    expectTypeOf<"ERR_NOT_A_CODE">().not.toMatchTypeOf<CustomerKeyErrorCode>();
    expectTypeOf<string>().not.toMatchTypeOf<CustomerKeyErrorCode>();
    expectTypeOf<InvalidInputError["code"]>().toEqualTypeOf<CustomerKeyErrorCode>();
    const narrow = (error: InvalidInputError) => {
      switch (error.code) {
        case "ERR_VAULT_NAME_INVALID":
          return expectTypeOf(error.code).toEqualTypeOf<"ERR_VAULT_NAME_INVALID">();
        default:
          return expectTypeOf(error.code).toEqualTypeOf<Exclude<CustomerKeyErrorCode, "ERR_VAULT_NAME_INVALID">>();
      }
    };
    void narrow;
    expectTypeOf<CustomerKeyError["code"]>().not.toEqualTypeOf<string>();
  });

  it("one VaultRef: a URL, { vaultUrl } or the ARM coordinates", () => {
    expectTypeOf<VaultRef>().toEqualTypeOf<string | { vaultUrl: string } | VaultCoordinates>();
    expectTypeOf<VaultPairsOperations["listAccess"]>().parameter(0).toEqualTypeOf<VaultCoordinates>();
    expectTypeOf<KeysOperations["create"]>().parameter(0).toEqualTypeOf<VaultRef>();
  });

  it("no implementation class or internal helper is exported", () => {
    type Names = keyof typeof entry;
    type Gone =
      | "KeysClient" | "VaultPairsClient" | "BackupsClient" | "SubscriptionsClient" | "DirectoryClient" | "ClientContext"
      | "validateVaultName" | "validateSubscriptionId" | "isGuid" | "planFingerprint" | "backupFileName" | "customerKeyAdminRoleGuid"
      | "APPLY_POLLER_KIND" | "DO_NOT_CANCEL_POLLER_KIND" | "formatPlan" | "suggestVaultNames" | "wireModules" | "runOperation"
      | "GRAPH_SCOPE";
    // Any of them still exported would show up here.
    expectTypeOf<Extract<Gone, Names>>().toBeNever();
    expectTypeOf<Extract<"CustomerKeyClient" | "KeysOperations", Names>>().toEqualTypeOf<"CustomerKeyClient">();
    expectTypeOf<KeyVaultRef | KeyOperationOptions | VaultOperationOptions | DirectoryOperationOptions>().toBeAny();
  });
});
