import { randomUUID } from "node:crypto";
import { EMULATOR_HOSTS } from "./certs.js";
import { EmulatorClock } from "./clock.js";
import { Directory, type Principal } from "./directory.js";
import { FaultInjector } from "./faults.js";
import { errorBody, type EmulatorRequest, type Reply, type ServiceError, type ServiceName } from "./http.js";
import { RequestLog } from "./request-log.js";
import type { Router } from "./router.js";
import { writeStateFile, type EmulatorState } from "./state.js";
import { signToken } from "./tokens.js";

/** The addresses of the emulated services. */
export interface EmulatorEndpoints {
  port: number;
  /** Entra ID authority host, for `authorityHost` of `@azure/identity` credentials. */
  authorityHost: string;
  resourceManager: string;
  graph: string;
  /** Exchange Online admin endpoint (served from a later release of the emulator). */
  exchange: string;
  /** The data-plane URL of a vault: `https://{name}.vault.localhost:{port}`. */
  vaultUrl(name: string): string;
  /** The SharePoint admin centre URL of the emulated tenant. */
  sharePointAdmin: string;
}

/** Token audiences each service accepts (resource URIs without `/.default`). */
export function audiencesFor(endpoints: EmulatorEndpoints): Record<"arm" | "keyvault" | "graph", string[]> {
  return {
    arm: ["https://management.azure.com", "https://management.core.windows.net", endpoints.resourceManager],
    keyvault: ["https://vault.localhost", "https://vault.azure.net"],
    graph: ["https://graph.microsoft.com", endpoints.graph],
  };
}

/** One emulated service: its routes, accepted audiences and error shape. */
export interface ServiceDefinition {
  name: ServiceName;
  router: Router;
  /** Accepted token audiences; an empty list means every route is anonymous. */
  audiences: readonly string[];
  /** The answer to a request that carries no token (Key Vault's 401 challenge). */
  challenge?(req: EmulatorRequest, core: EmulatorCore): Reply;
  /** Formats an error in this service's shape; defaults to `{error:{code,message}}`. */
  errorReply?(error: ServiceError, req: EmulatorRequest, core: EmulatorCore): Reply;
}

export function defaultErrorReply(error: ServiceError): Reply {
  return { status: error.status, body: errorBody(error), ...(error.extra.headers ? { headers: error.extra.headers } : {}) };
}

/** The shared inside of the emulator that every service reads and changes. */
export class EmulatorCore {
  readonly clock: EmulatorClock;
  readonly directory: Directory;
  readonly faults = new FaultInjector();
  readonly requests = new RequestLog();
  readonly services = new Map<ServiceName, ServiceDefinition>();
  #dirty = false;
  #flushScheduled = false;

  constructor(
    readonly state: EmulatorState,
    readonly endpoints: EmulatorEndpoints,
    private readonly stateFile: string | undefined,
  ) {
    this.clock = new EmulatorClock(state.clockOffsetMs, () => {
      this.state.clockOffsetMs = this.clock.offsetMs;
      this.changed();
    });
    this.directory = new Directory(state.directory, () => this.changed());
  }

  get tenantId(): string {
    return this.state.directory.tenantId;
  }

  register(service: ServiceDefinition): void {
    this.services.set(service.name, service);
  }

  /**
   * Marks the state changed. A request writes it before answering; a change made outside a
   * request (clock, directory, test helpers) is written on the next turn of the event loop.
   */
  changed(): void {
    this.#dirty = true;
    if (!this.stateFile || this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      try {
        this.flush();
      } catch {
        // Still dirty: the next request's flush retries and reports the failure.
      }
    }).unref();
  }

  /** Writes the state file now if anything changed since the last write; a failed write stays pending. */
  flush(): void {
    if (!this.#dirty || !this.stateFile) return;
    writeStateFile(this.stateFile, this.state);
    this.#dirty = false;
  }

  /** Which service a request is for, by host (and, on plain `localhost`, by path). */
  resolve(req: EmulatorRequest): { service: ServiceName; vault?: string } | undefined {
    const host = req.hostname;
    if (host.endsWith(`.${EMULATOR_HOSTS.vaultSuffix}`)) {
      return { service: "keyvault", vault: host.slice(0, -(EMULATOR_HOSTS.vaultSuffix.length + 1)) };
    }
    if (host.endsWith(`.${EMULATOR_HOSTS.sharePointSuffix}`)) return { service: "sharepoint" };
    if (host === EMULATOR_HOSTS.login) return { service: "identity" };
    if (host === EMULATOR_HOSTS.management) return { service: "arm" };
    if (host === EMULATOR_HOSTS.graph) return { service: "graph" };
    if (host === EMULATOR_HOSTS.outlook) return { service: "exchange" };
    if (host === "localhost" || host === "127.0.0.1" || host === "[::1]") {
      const first = req.path.split("/")[1]?.toLowerCase() ?? "";
      if (first === "subscriptions" || first === "providers") return { service: "arm" };
      if (first === "v1.0" || first === "beta") return { service: "graph" };
      if (first === "adminapi") return { service: "exchange" };
      return { service: "identity" };
    }
    return undefined;
  }

  /** Issues an access token for a principal of the directory, as the token endpoint does. */
  issueToken(principal: Principal, resource: string, clientAppId?: string): { token: string; expiresIn: number } {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = 3599;
    const appId = principal.kind === "servicePrincipal" ? principal.record.appId : (clientAppId ?? "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    const token = signToken(this.state.signingKey, {
      aud: resource,
      iss: `${this.endpoints.authorityHost}/${this.tenantId}/v2.0`,
      tid: this.tenantId,
      oid: principal.record.objectId,
      sub: principal.record.objectId,
      appid: appId,
      azp: appId,
      idtyp: principal.kind === "user" ? "user" : "app",
      ...(principal.kind === "user"
        ? { upn: principal.record.userPrincipalName, name: principal.record.displayName, scp: "user_impersonation" }
        : {}),
      iat: now,
      nbf: now - 60,
      exp: now + expiresIn,
      ver: "2.0",
      uti: randomUUID(),
    });
    return { token, expiresIn };
  }
}
