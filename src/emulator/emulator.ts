import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TokenCredential } from "@azure/core-auth";
import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { approveDoNotCancel, assignRole, createSubscription, setArmBehaviour } from "./arm/admin-operations.js";
import { armState, type SubscriptionRecord } from "./arm/model.js";
import type { ArmBehaviour } from "./arm/routes/async-operations.js";
import { endpointsFor, type EmulatorEndpoints } from "./endpoints.js";
import { certificateNames, certificatesStillValid, generateCertificates } from "./kernel/certs.js";
import { EmulatorCore } from "./kernel/core.js";
import { handleRequest } from "./kernel/server.js";
import type { ServiceDefinition } from "./kernel/service-definition.js";
import { redactedSnapshot } from "./kernel/snapshot.js";
import { newState, readStateFile, writeStateFile, type KernelState, type PersistedState } from "./kernel/state.js";
import { generateSigningKey } from "./kernel/tokens.js";
import type { Directory, EmulatorClock, FaultInjector, RequestLog, Throttle } from "./public-types.js";
import { SERVICES, type RegisteredServiceStates } from "./registry.js";
// --- test fixture (issue 11 §2) ---
import type { KeyVaultBehaviour } from "./keyvault/pending-window.js";
import { testFixtureMembers, type EmulatorCustomerKeyClientOptions, type EmulatorSeeder } from "./test-fixture.js";
// --- end test fixture ---
// ── SharePoint Online (issue 12) ──
import { seedGeos, sharePointEmulator, type SharePointEmulator } from "./sharepoint/emulator-surface.js";
// ── end SharePoint Online ──
import { exchangeEmulator, seedExchange, type ExchangeEmulator, type ExchangeEmulatorOptions } from "./exchange/admin.js";

/**
 * Everything the emulator knows, as plain JSON (what the state file holds): the kernel's part
 * (directory, signing key, certificates, clock offset) and each service's state under its key.
 */
export type EmulatorState = KernelState & RegisteredServiceStates;

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) lets the OS choose. */
  port?: number;
  /** Keep the state in this file (written atomically after every change) and start from it if it exists; none by default (state in memory). */
  stateFile?: string;
  /** Tenant id (a GUID) of a new emulated directory; random by default, ignored when the state file exists. */
  tenantId?: string;
  // ── SharePoint Online (issue 12) ──
  /**
   * Microsoft 365 Multi-Geo data locations of a new tenant (e.g. `["NAM", "EUR"]`), default geo
   * first: SharePoint then has one admin site per geo. Single-geo (data location code "") by
   * default; ignored when the state file exists.
   */
  geos?: string[];
  // ── end SharePoint Online ──
  /** Seeded Exchange Online recipients and mailbox move time of a new emulator (ignored when the state file exists); 200 mailboxes, 20 mail users, 72 h by default. */
  exchange?: ExchangeEmulatorOptions;
  /**
   * How fast the emulator clock runs: emulated milliseconds per wall-clock millisecond, a positive
   * number; 1 by default. 3600 makes one real second an emulated hour, so what the emulated services
   * time on their clock (SharePoint's registration and key roll, Exchange's mailbox moves, purge
   * dates) passes in seconds for clients of an emulator no test can move with `clock.advance`.
   * Token lifetimes still follow wall time. Not kept in the state file (the clock's offset is).
   */
  clockRate?: number;
  /**
   * How the emulated ARM times its long operations and Microsoft's Do-Not-Cancel approval from the
   * start, as {@link Emulator.setArmBehaviour} would; e.g. `{ doNotCancelApprovalDelayMs: 0 }`
   * approves every Do-Not-Cancel registration at the next request. Not kept in the state file.
   */
  arm?: Partial<ArmBehaviour>;
}

/** The seeded admin, who owns the two seeded subscriptions. */
export interface SeededAdmin {
  /** The admin's UPN, `admin@{tenant domain}`. */
  userPrincipalName: string;
  /** The admin's object id (a GUID). */
  objectId: string;
  /** Emulator-only password; `credentialFor(userPrincipalName)` uses it. */
  password: string;
}

/** Options of {@link Emulator.createSubscription}. */
export interface CreateSubscriptionOptions {
  /** The subscription's display name. */
  displayName: string;
  /** Its id (a GUID); random by default. */
  subscriptionId?: string;
  /** UPN, object id or app id of the principal that becomes its Owner; none by default. */
  owner?: string;
  /** Its state, e.g. `Enabled` (the default), `Disabled`, `Warned`. */
  state?: string;
  /** Resource providers registered from the start (e.g. `Microsoft.KeyVault`); none by default. */
  registerProviders?: string[];
  /** Offer id, e.g. `FreeTrial_2014-09-01` for an ineligible one; a pay-as-you-go offer by default. */
  quotaId?: string;
}

/** How the emulated ARM times its long operations; see {@link Emulator.setArmBehaviour}. */
export type { ArmBehaviour };

/** A running emulator. */
export interface Emulator {
  /** The emulated tenant's id (a GUID). */
  readonly tenantId: string;
  /** The URLs of the emulated services on this emulator's port. */
  readonly endpoints: EmulatorEndpoints;
  /** PEM of the emulator's certificate authority: the only certificate clients need to trust. */
  readonly caCertificate: string;
  /** The seeded admin user, Owner of the two seeded subscriptions. */
  readonly admin: SeededAdmin;
  /** The two subscriptions the admin owns at start (more can be created). */
  readonly subscriptionIds: readonly string[];
  /** The emulated Entra ID directory: users, groups, service principals. */
  readonly directory: Directory;
  /**
   * The emulated time every service reads: soft-delete retention and purge dates, key `nbf`/`exp`,
   * ARM's long operations, the Key Vault pending windows. It starts at wall time and runs with it;
   * `clock.advance({ days: 90 })` moves it forward (never back), so a test sees in milliseconds
   * what takes days in Azure. Token lifetimes follow wall time, not this clock.
   */
  readonly clock: EmulatorClock;
  /** Fault injection: latency, throttling, 5xx, connection resets, vaults that are down. */
  readonly faults: FaultInjector;
  /** Every request served, for assertions on what a client did. */
  readonly requests: RequestLog;
  /** The emulated Exchange Online's test controls: seeded recipients, mailbox reads through the key hierarchy, move time. */
  readonly exchange: ExchangeEmulator;
  /** Per-tenant request limits (429 with `Retry-After`) of the services that opt in, e.g. `exchange`; off by default. */
  readonly throttle: Throttle;
  // ── SharePoint Online (issue 12) ──
  /** The emulated SharePoint Online's Customer Key state: status per geo and site, sites, operation durations. */
  readonly sharePoint: SharePointEmulator;
  // ── end SharePoint Online ──
  /**
   * Options for every Azure SDK client (and credential): an `https.Agent` that trusts the
   * emulator's CA and resolves `*.localhost` to loopback. TLS verification stays on.
   */
  clientOptions(): { agent: Agent };
  /** Options for `@azure/identity` credentials pointed at the emulated Entra ID. */
  credentialOptions(): { authorityHost: string; disableInstanceDiscovery: true; agent: Agent };
  /**
   * A real `@azure/identity` credential for a principal of the emulated directory: a service
   * principal (by app id or object id) gets a `ClientSecretCredential`, a user (by UPN or object id)
   * a `UsernamePasswordCredential`.
   */
  credentialFor(principal: string): TokenCredential;
  /**
   * Creates a subscription. Like a real new subscription it has no Microsoft.KeyVault
   * registration unless `registerProviders` names it.
   */
  createSubscription(options: CreateSubscriptionOptions): SubscriptionRecord;
  /** Grants a built-in role (by GUID) to a principal (object id) at an ARM scope, as an Owner would. */
  assignRole(options: { scope: string; roleId: string; principalId: string }): void;
  /**
   * Plays Microsoft's part in the Do-Not-Cancel registration of a subscription (by id). In Azure,
   * registering the feature `Microsoft.Resources/mandatoryRetentionPeriodEnabled` leaves it
   * `Pending` until Microsoft approves it by hand (days, after a support request); the emulator
   * approves only when a test calls this. Call it after the registration started (for example
   * after the first `poll()` of `subscriptions.beginRegisterDoNotCancel`): it throws if the
   * feature is not `Pending`. Afterwards the feature reads `Registered` and keys in that
   * subscription's purge-protected vaults report `Recoverable+ProtectedSubscription`.
   */
  approveDoNotCancel(subscriptionId: string): void;
  /**
   * Changes how long ARM's long operations stay in progress, in emulator-clock milliseconds (both
   * 0 by default: they complete at the next request). Only the fields given change.
   */
  setArmBehaviour(behaviour: Partial<ArmBehaviour>): void;
  /** The state as plain JSON (a deep copy), with passwords, client secrets and private keys redacted. */
  snapshot(): EmulatorState;
  /**
   * Runs `fn` on the live state (not a copy, secrets included) and writes the state file after it,
   * for tests that set up what the emulated APIs cannot. Returns what `fn` returns.
   */
  withLiveState<T>(fn: (state: EmulatorState) => T): T;
  /** Writes the state file now if anything changed (otherwise writes follow every request); throws if the write fails. */
  flush(): void;
  /** Writes the state, closes every connection and stops listening. */
  stop(): Promise<void>;
  // --- test fixture (issue 11 §2) ---
  /**
   * Everything a `CustomerKeyClient` needs to talk to this emulator (tenant, endpoints, agent):
   * `new CustomerKeyClient(emulator.credential(), emulator.customerKeyClientOptions())`. Without
   * the endpoints a client would call Azure's public cloud.
   */
  customerKeyClientOptions(): EmulatorCustomerKeyClientOptions;
  /** A real `@azure/identity` credential of the seeded admin (`credentialFor(admin.userPrincipalName)`). */
  credential(): TokenCredential;
  /** Creates vaults and keys in one call, valid for Customer Key by default, without ARM requests. */
  readonly seed: EmulatorSeeder;
  /**
   * Changes how long a key delete, recover or purge stays in progress (emulator-clock ms, 2000 by
   * default, 0 for at once). Only the fields given change; not persisted.
   */
  setKeyVaultBehaviour(behaviour: Partial<KeyVaultBehaviour>): void;
  // --- end test fixture ---
}

/** Resolves `localhost` and every `*.localhost` name to 127.0.0.1, as RFC 6761 intends. */
export function emulatorLookup(
  hostname: string,
  options: unknown,
  callback?: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  const cb = (typeof options === "function" ? options : callback) as NonNullable<typeof callback>;
  const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    // Node 20 asks with {all:true} (autoSelectFamily), which wants an array.
    if (opts.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
    else cb(null, "127.0.0.1", 4);
    return;
  }
  dnsLookup(hostname, opts as never, cb as never);
}

/** Starts an emulator of Entra ID, ARM, Key Vault and Graph on 127.0.0.1 over HTTPS. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  return startEmulatorWith(SERVICES, options);
}

/**
 * Starts an emulator serving `services` (the registry's, plus any a test adds). Not part of the
 * package's surface: it is how tests prove a service needs no kernel change.
 */
export async function startEmulatorWith(services: readonly ServiceDefinition[], options: StartEmulatorOptions = {}): Promise<Emulator> {
  checkStartOptions(options);
  const leafNames = certificateNames(services.flatMap((s) => s.hosts));
  const state = await loadOrCreateState(options, leafNames);
  const server: Server = createServer({ key: state.certificates.leafKey, cert: state.certificates.leafCert });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoints = endpointsFor(port);
  const core = new EmulatorCore(state, endpoints, options.stateFile, options.clockRate);
  try {
    for (const service of services) core.register(service);
    if (options.arm && core.services.has("arm")) setArmBehaviour(core, options.arm);
    seedGeos(core, options.geos); // SharePoint Online (issue 12): before its seed, which makes a single geo otherwise
    // Start options seed a new Exchange state before its own seed would apply the defaults.
    if (core.services.has("exchange") && options.exchange) seedExchange(core, options.exchange);
    for (const service of services) service.seed?.(core);
    core.flush();
  } catch (error) {
    server.close();
    throw error;
  }
  server.on("request", (req, res) => {
    handleRequest(core, req, res, port).catch((error) => {
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  const agent = new Agent({ ca: state.certificates.caCert, keepAlive: true, lookup: emulatorLookup as never });
  // The Azure SDK's request logging serializes every request property, the agent included, and a
  // busy agent's sockets hold the raw text of requests in flight (bearer tokens). The agent we hand
  // out serializes as a name, so no client given `clientOptions()` can log a token through it.
  Object.defineProperty(agent, "toJSON", { value: () => "[https.Agent]" });
  const admin = core.directory.users[0]!;
  const live = core.state as unknown as EmulatorState;
  const emulator: Emulator = {
    tenantId: core.tenantId,
    endpoints,
    caCertificate: state.certificates.caCert,
    admin: { userPrincipalName: admin.userPrincipalName, objectId: admin.objectId, password: admin.password },
    subscriptionIds: core.services.has("arm") ? Object.keys(armState(core).subscriptions).slice(0, 2) : [],
    directory: core.directory,
    clock: core.clock,
    faults: core.faults,
    requests: core.requests,
    throttle: core.throttle,
    sharePoint: sharePointEmulator(core), // SharePoint Online (issue 12)
    exchange: exchangeEmulator(core),
    clientOptions: () => ({ agent }),
    credentialOptions: () => ({ authorityHost: endpoints.authorityHost, disableInstanceDiscovery: true, agent }),
    credentialFor(principal) {
      const found = core.directory.findPrincipal(principal);
      if (!found) throw new Error(`No principal '${principal}' in the emulated directory.`);
      const credentialOptions = { authorityHost: endpoints.authorityHost, disableInstanceDiscovery: true, agent };
      if (found.kind === "servicePrincipal") {
        return new ClientSecretCredential(core.tenantId, found.record.appId, found.record.secrets[0]!, credentialOptions);
      }
      // Azure CLI's public client id, as `az login` would use.
      return new UsernamePasswordCredential(core.tenantId, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", found.record.userPrincipalName, found.record.password, credentialOptions);
    },
    createSubscription: (o) => {
      const owner = o.owner ? core.directory.findPrincipal(o.owner)?.record.objectId : undefined;
      const record = createSubscription(core, { ...o, ...(owner ? { ownerObjectId: owner } : {}) });
      core.flush();
      return record;
    },
    assignRole: (o) => {
      assignRole(core, o);
      core.flush();
    },
    approveDoNotCancel: (id) => {
      approveDoNotCancel(core, id);
      core.flush();
    },
    setArmBehaviour: (behaviour) => setArmBehaviour(core, behaviour),
    snapshot: () => redactedSnapshot(core.state, core.services.values()) as unknown as EmulatorState,
    withLiveState(fn) {
      try {
        return fn(live);
      } finally {
        core.changed();
      }
    },
    flush: () => core.flush(),
    // --- test fixture (issue 11 §2) ---
    ...testFixtureMembers(core, () => emulator.clientOptions(), (principal) => emulator.credentialFor(principal)),
    // --- end test fixture ---
    async stop() {
      if (core.clock.rate !== 1) core.changed(); // the offset moved by itself since the last write
      core.flush();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}

/** Bad timing options fail before anything starts. */
function checkStartOptions(options: StartEmulatorOptions): void {
  if (options.clockRate !== undefined && !(Number.isFinite(options.clockRate) && options.clockRate > 0)) {
    throw new RangeError(`clockRate must be a positive number, not ${options.clockRate}.`);
  }
  for (const [name, value] of Object.entries(options.arm ?? {})) {
    if (!(typeof value === "number" && value >= 0)) throw new RangeError(`arm.${name} must be 0 or more milliseconds (Infinity allowed), not ${String(value)}.`);
  }
}

async function loadOrCreateState(options: StartEmulatorOptions, leafNames: readonly string[]): Promise<PersistedState> {
  const existing = options.stateFile ? readStateFile(options.stateFile) : undefined;
  if (existing) {
    if (!certificatesStillValid(existing.certificates, leafNames)) existing.certificates = await generateCertificates(leafNames);
    return existing;
  }
  const state = newState({
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    signingKey: generateSigningKey(),
    certificates: await generateCertificates(leafNames),
  });
  if (options.stateFile) writeStateFile(options.stateFile, state);
  return state;
}
