import type { Agent } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { describe, expectTypeOf, it } from "vitest";
import * as emulatorEntry from "../../src/emulator/index.js";
import {
  BUILT_IN_ROLES,
  DO_NOT_CANCEL_FEATURE,
  MICROSOFT_365_APPS,
  emulatorLookup,
  startEmulator,
  type Directory,
  type Emulator,
  type ArmBehaviour,
  type EmulatorClock,
  type EmulatorEndpoints,
  type EmulatorState,
  type ExchangeEmulatorOptions,
  type FaultInjector,
  type FaultRule,
  type RequestLog,
  type RequestLogEntry,
  type StartEmulatorOptions,
  type SharePointEmulator,
  type SharePointKeyStatus,
} from "../../src/emulator/index.js";

describe("customer-key/emulator public types", () => {
  it("starts an emulator from optional options", () => {
    expectTypeOf(startEmulator).parameters.toEqualTypeOf<[options?: StartEmulatorOptions]>();
    expectTypeOf(startEmulator).returns.resolves.toEqualTypeOf<Emulator>();
    expectTypeOf<StartEmulatorOptions>().toEqualTypeOf<{ port?: number; stateFile?: string; tenantId?: string; exchange?: ExchangeEmulatorOptions; geos?: string[]; clockRate?: number; arm?: Partial<ArmBehaviour> }>();
    expectTypeOf<ArmBehaviour>().toEqualTypeOf<{ asyncOperationDelayMs: number; registrationDelayMs: number; doNotCancelApprovalDelayMs: number }>();
    expectTypeOf(emulatorLookup).toBeFunction();
  });

  it("exposes what tests need as members of Emulator, and not the core", () => {
    expectTypeOf<Emulator>().not.toHaveProperty("core");
    expectTypeOf<Emulator["tenantId"]>().toEqualTypeOf<string>();
    expectTypeOf<Emulator["endpoints"]>().toEqualTypeOf<EmulatorEndpoints>();
    expectTypeOf<Emulator["clientOptions"]>().returns.toEqualTypeOf<{ agent: Agent }>();
    expectTypeOf<Emulator["credentialFor"]>().returns.toEqualTypeOf<TokenCredential>();
    expectTypeOf<Emulator["directory"]>().toEqualTypeOf<Directory>();
    expectTypeOf<Emulator["clock"]>().toEqualTypeOf<EmulatorClock>();
    expectTypeOf<Emulator["faults"]>().toEqualTypeOf<FaultInjector>();
    expectTypeOf<Emulator["requests"]>().toEqualTypeOf<RequestLog>();
    expectTypeOf<Emulator["snapshot"]>().returns.toEqualTypeOf<EmulatorState>();
    expectTypeOf<Emulator["flush"]>().returns.toEqualTypeOf<void>();
    expectTypeOf<Emulator["stop"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Emulator["withLiveState"]>().toBeFunction();
    expectTypeOf<EmulatorState["arm"]["subscriptions"]>().toBeObject();
    expectTypeOf<EmulatorState["keyVault"]["vaults"]>().toBeObject();
  });

  it("keeps the kernel's classes off the surface: clock, faults, log and directory are interfaces", () => {
    // A value of these names would have to be a class; the entry exports none.
    expectTypeOf(emulatorEntry).not.toHaveProperty("EmulatorClock");
    expectTypeOf(emulatorEntry).not.toHaveProperty("FaultInjector");
    expectTypeOf(emulatorEntry).not.toHaveProperty("RequestLog");
    expectTypeOf(emulatorEntry).not.toHaveProperty("Directory");
    expectTypeOf<EmulatorClock["advance"]>().returns.toEqualTypeOf<Date>();
    expectTypeOf<EmulatorClock["rate"]>().toEqualTypeOf<number>();
    expectTypeOf<FaultInjector["inject"]>().parameters.toEqualTypeOf<[rule: FaultRule]>();
    expectTypeOf<FaultInjector["inject"]>().returns.toEqualTypeOf<() => void>();
    expectTypeOf<RequestLog["list"]>().returns.toEqualTypeOf<RequestLogEntry[]>();
    expectTypeOf<Directory["tenantId"]>().toEqualTypeOf<string>();
  });

  it("exports exactly these values", () => {
    expectTypeOf<keyof typeof emulatorEntry>().toEqualTypeOf<
      "startEmulator" | "emulatorLookup" | "MICROSOFT_365_APPS" | "BUILT_IN_ROLES" | "DO_NOT_CANCEL_FEATURE"
    >();
    expectTypeOf(MICROSOFT_365_APPS.exchangeOnline.appId).toBeString();
    expectTypeOf(BUILT_IN_ROLES).toBeObject();
    expectTypeOf<typeof DO_NOT_CANCEL_FEATURE>().toEqualTypeOf<"Microsoft.Resources/mandatoryRetentionPeriodEnabled">();
  });

  // ── SharePoint Online (issue 12) ──
  it("exposes SharePoint Online through an interface, statuses as plain records", () => {
    expectTypeOf<Emulator["sharePoint"]>().toEqualTypeOf<SharePointEmulator>();
    expectTypeOf<SharePointEmulator["tenantStatus"]>().returns.toEqualTypeOf<SharePointKeyStatus>();
    expectTypeOf<SharePointKeyStatus["status"]>().toEqualTypeOf<"Unregistered" | "Registering" | "Registered" | "Rolling" | "Recovering">();
    expectTypeOf<EmulatorState["sharePoint"]["geos"]>().toBeArray();
  });
  // ── end SharePoint Online ──
});
