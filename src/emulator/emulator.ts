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
import { exchangeEmulator, seedExchange, type ExchangeEmulator, type ExchangeEmulatorOptions } from "./exchange/admin.js";
// ── SharePoint Online (issue 12) ──
import { seedGeos, sharePointEmulator, type SharePointEmulator } from "./sharepoint/emulator-surface.js";
// ── end SharePoint Online ──

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
  /** Seeded Exchange Online recipients and mailbox move time of a new emulator (ignored when the state file exists); 200 mailboxes, 20 mail users, 72 h by default. */
  exchange?: ExchangeEmulatorOptions;
  // ── SharePoint Online (issue 12) ──
  /**
   * Microsoft 365 Multi-Geo data locations of a new tenant (e.g. `["NAM", "EUR"]`), default geo
   * first: SharePoint then has one admin site per geo. Single-geo (data location code "") by
   * default; ignored when the state file exists.
   */
  geos?: string[];
  // ── end SharePoint Online ──
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
  /** The emulated time; starts at wall time and only moves forward. */
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
  /** Microsoft's manual approval of a pending Do-Not-Cancel registration on a subscription (by id). */
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
  const leafNames = certificateNames(services.flatMap((s) => s.hosts));
  const state = await loadOrCreateState(options, leafNames);
  const server: Server = createServer({ key: state.certificates.leafKey, cert: state.certificates.leafCert });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoints = endpointsFor(port);
  const core = new EmulatorCore(state, endpoints, options.stateFile);
  try {
    for (const service of services) core.register(service);
    // Start options seed a new Exchange state before its own seed would apply the defaults.
    if (core.services.has("exchange") && options.exchange) seedExchange(core, options.exchange);
    seedGeos(core, options.geos); // SharePoint Online (issue 12): before its seed, which makes a single geo otherwise
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
  const admin = core.directory.users[0]!;
  const live = core.state as unknown as EmulatorState;
  return {
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
    exchange: exchangeEmulator(core),
    sharePoint: sharePointEmulator(core), // SharePoint Online (issue 12)
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
    async stop() {
      core.flush();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
