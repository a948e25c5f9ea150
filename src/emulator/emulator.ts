import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TokenCredential } from "@azure/core-auth";
import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { certificatesStillValid, EMULATOR_HOSTS, generateCertificates } from "./kernel/certs.js";
import { audiencesFor, EmulatorCore, type EmulatorEndpoints, type ServiceDefinition } from "./kernel/core.js";
import { identityService } from "./identity/service.js";
import { approveDoNotCancel, assignRole, createSubscription } from "./arm/admin-operations.js";
import type { SubscriptionRecord } from "./arm/model.js";
import { handleRequest } from "./kernel/server.js";
import { newState, readStateFile, writeStateFile, type EmulatorState } from "./kernel/state.js";
import { generateSigningKey } from "./kernel/tokens.js";
import type { EmulatorClock } from "./kernel/clock.js";
import type { Directory } from "./kernel/directory.js";
import type { FaultInjector } from "./kernel/faults.js";
import type { RequestLog } from "./kernel/request-log.js";
import { serviceFactories } from "./registry.js";
import { redactedSnapshot } from "./kernel/snapshot.js";

export interface StartEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) lets the OS choose. */
  port?: number;
  /** Keep the state in this file (written atomically after every change) and start from it if it exists. */
  stateFile?: string;
  /** Tenant id of a new emulated directory (random by default). */
  tenantId?: string;
}

/** The seeded admin, who owns the two seeded subscriptions. */
export interface SeededAdmin {
  userPrincipalName: string;
  objectId: string;
  /** Emulator-only password; `credentialFor(userPrincipalName)` uses it. */
  password: string;
}

/** A running emulator. */
export interface Emulator {
  readonly tenantId: string;
  readonly endpoints: EmulatorEndpoints;
  /** PEM of the emulator's certificate authority: the only certificate clients need to trust. */
  readonly caCertificate: string;
  readonly admin: SeededAdmin;
  /** The two subscriptions the admin owns at start (more can be created). */
  readonly subscriptionIds: readonly string[];
  readonly directory: Directory;
  readonly clock: EmulatorClock;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
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
   * Creates a subscription; `owner` (UPN, object id or app id) becomes its Owner. Like a real new
   * subscription it has no Microsoft.KeyVault registration unless `registerProviders` names it;
   * `quotaId` sets the offer (e.g. `FreeTrial_2014-09-01` for an ineligible one).
   */
  createSubscription(options: {
    displayName: string;
    subscriptionId?: string;
    owner?: string;
    state?: string;
    registerProviders?: string[];
    quotaId?: string;
  }): SubscriptionRecord;
  /** Grants a built-in role (by GUID) to a principal at an ARM scope, as an Owner would. */
  assignRole(options: { scope: string; roleId: string; principalId: string }): void;
  /** Microsoft's manual approval of a pending Do-Not-Cancel registration. */
  approveDoNotCancel(subscriptionId: string): void;
  /** The state as plain JSON (a deep copy), with passwords, client secrets and private keys redacted. */
  snapshot(): EmulatorState;
  /** The shared core, for services and advanced tests. */
  readonly core: EmulatorCore;
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

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const state = await loadOrCreateState(options);
  const server: Server = createServer({ key: state.certificates.leafKey, cert: state.certificates.leafCert });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoints = endpointsFor(port);
  const core = new EmulatorCore(state, endpoints, options.stateFile);
  core.register(identityService());
  for (const factory of serviceFactories) core.register(factory(core, audiencesFor(endpoints)) as ServiceDefinition);
  seedSubscriptions(core);
  core.flush();
  server.on("request", (req, res) => {
    handleRequest(core, req, res, port).catch((error) => {
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  const agent = new Agent({ ca: state.certificates.caCert, keepAlive: true, lookup: emulatorLookup as never });
  const admin = core.directory.users[0]!;
  return {
    tenantId: core.tenantId,
    endpoints,
    caCertificate: state.certificates.caCert,
    admin: { userPrincipalName: admin.userPrincipalName, objectId: admin.objectId, password: admin.password },
    subscriptionIds: Object.keys(state.arm.subscriptions).slice(0, 2),
    directory: core.directory,
    clock: core.clock,
    faults: core.faults,
    requests: core.requests,
    core,
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
    snapshot: () => redactedSnapshot(core.state),
    async stop() {
      core.flush();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function endpointsFor(port: number): EmulatorEndpoints {
  const at = (host: string) => `https://${host}:${port}`;
  return {
    port,
    authorityHost: at(EMULATOR_HOSTS.login),
    resourceManager: at(EMULATOR_HOSTS.management),
    graph: at(EMULATOR_HOSTS.graph),
    exchange: at(EMULATOR_HOSTS.outlook),
    sharePointAdmin: at(`contoso-admin.${EMULATOR_HOSTS.sharePointSuffix}`),
    vaultUrl: (name) => at(`${name.toLowerCase()}.${EMULATOR_HOSTS.vaultSuffix}`),
  };
}

async function loadOrCreateState(options: StartEmulatorOptions): Promise<EmulatorState> {
  const existing = options.stateFile ? readStateFile(options.stateFile) : undefined;
  if (existing) {
    if (!certificatesStillValid(existing.certificates)) existing.certificates = await generateCertificates();
    return existing;
  }
  const state = newState({
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    signingKey: generateSigningKey(),
    certificates: await generateCertificates(),
  });
  if (options.stateFile) writeStateFile(options.stateFile, state);
  return state;
}

/** A new emulator starts with two subscriptions owned by the seeded admin, as Customer Key needs. */
function seedSubscriptions(core: EmulatorCore): void {
  if (Object.keys(core.state.arm.subscriptions).length > 0) return;
  const owner = core.directory.users[0]!.objectId;
  // The seeded subscriptions are ready for Customer Key; subscriptions created later start strict.
  const registerProviders = ["Microsoft.KeyVault"];
  createSubscription(core, { displayName: "Customer Key Primary", ownerObjectId: owner, registerProviders });
  createSubscription(core, { displayName: "Customer Key Secondary", ownerObjectId: owner, registerProviders });
}
