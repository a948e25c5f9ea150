import { randomUUID } from "node:crypto";
import type { EmulatorEndpoints } from "../endpoints.js";
import { EmulatorClock } from "./clock.js";
import { Directory, type Principal } from "./directory.js";
import { FaultInjector } from "./faults.js";
import { HostResolver, type Resolved } from "./host-resolver.js";
import { errorBody, type EmulatorRequest, type Reply, type ServiceError } from "./http.js";
import { RequestLog } from "./request-log.js";
import { Router } from "./router.js";
import type { ServiceDefinition } from "./service-definition.js";
import { KERNEL_STATE_KEYS, writeStateFile, type PersistedState } from "./state.js";
import { Throttle } from "./throttle.js";
import { signToken } from "./tokens.js";

export function defaultErrorReply(error: ServiceError): Reply {
  return { status: error.status, body: errorBody(error), ...(error.extra.headers ? { headers: error.extra.headers } : {}) };
}

/** A registered service: its definition, compiled routes and accepted audiences. */
export interface RegisteredService {
  definition: ServiceDefinition;
  name: string;
  router: Router;
  audiences: readonly string[];
}

/** The shared inside of the emulator that every service reads and changes. */
export class EmulatorCore {
  readonly clock: EmulatorClock;
  readonly directory: Directory;
  readonly faults = new FaultInjector();
  readonly requests = new RequestLog();
  readonly throttle = new Throttle();
  readonly services = new Map<string, RegisteredService>();
  readonly #resolver = new HostResolver();
  #dirty = false;
  #flushScheduled = false;

  constructor(
    readonly state: PersistedState,
    readonly endpoints: EmulatorEndpoints,
    private readonly stateFile: string | undefined,
    clockRate = 1,
  ) {
    this.clock = new EmulatorClock(
      state.clockOffsetMs,
      () => {
        this.state.clockOffsetMs = this.clock.offsetMs;
        this.changed();
      },
      clockRate,
    );
    this.directory = new Directory(state.directory, () => this.changed());
  }

  /** Adds a service: claims its hosts and paths, and gives it an empty state if the file has none. */
  register(definition: ServiceDefinition): void {
    if (this.services.has(definition.name)) throw new Error(`A service named '${definition.name}' is already registered.`);
    const stateKey = definition.state?.key;
    if (stateKey !== undefined) {
      if ((KERNEL_STATE_KEYS as readonly string[]).includes(stateKey)) throw new Error(`Service '${definition.name}' cannot keep its state under the kernel's key '${stateKey}'.`);
      const holder = [...this.services.values()].find((s) => s.definition.state?.key === stateKey);
      if (holder) throw new Error(`Services '${holder.name}' and '${definition.name}' both keep state under '${stateKey}'.`);
      if (this.state[stateKey] === undefined) this.state[stateKey] = definition.state!.empty();
    }
    this.#resolver.add(definition);
    this.services.set(definition.name, {
      definition,
      name: definition.name,
      router: new Router(definition.name, [...definition.routes]),
      audiences: definition.audiences(this.endpoints),
    });
  }

  /** The state a service keeps under `key` (its definition's `state.key`). */
  serviceState<S>(key: string): S {
    const state = this.state[key];
    if (state === undefined) throw new Error(`No service keeps state under '${key}'.`);
    return state as S;
  }

  get tenantId(): string {
    return this.state.directory.tenantId;
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
    // A clock faster than wall time moves its offset by itself: keep the latest, so a restart resumes there.
    this.state.clockOffsetMs = this.clock.offsetMs;
    writeStateFile(this.stateFile, this.state);
    this.#dirty = false;
  }

  /** Which service a request is for, by the hosts and paths the services declared. */
  resolve(req: EmulatorRequest): (Resolved & { registered: RegisteredService }) | undefined {
    const resolved = this.#resolver.resolve(req);
    return resolved && { ...resolved, registered: this.services.get(resolved.service.name)! };
  }

  /** Whether a token resource is Microsoft Graph (the only resource with application permissions here). */
  #isGraph(resource: string): boolean {
    const normalise = (a: string) => a.replace(/\/+$/, "").toLowerCase();
    return (this.services.get("graph")?.audiences ?? []).some((a) => normalise(a) === normalise(resource));
  }

  /** Issues an access token for a principal of the directory, as the token endpoint does. */
  issueToken(principal: Principal, resource: string, clientAppId?: string): { token: string; expiresIn: number } {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = 3599;
    const appId = principal.kind === "servicePrincipal" ? principal.record.appId : (clientAppId ?? "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    // An application's token carries the permissions consented for the token's resource (Entra's `roles`).
    const roles = principal.kind === "servicePrincipal" && this.#isGraph(resource) ? this.directory.applicationPermissionsOf(principal.record.objectId) : [];
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
      ...(roles.length > 0 ? { roles } : {}),
      iat: now,
      nbf: now - 60,
      exp: now + expiresIn,
      ver: "2.0",
      uti: randomUUID(),
    });
    return { token, expiresIn };
  }
}
