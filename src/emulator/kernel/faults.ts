import type { FaultInjector as PublicFaultInjector } from "../public-types.js";
import type { ServiceName } from "./http.js";

/** A rule that makes matching requests slow or fail. */
export interface FaultRule {
  /** Only requests to this service (`arm`, `keyvault`, `graph`, `identity`, `exchange`, … any registered name); all services by default. */
  service?: ServiceName;
  /** Only requests with this HTTP method (any case); all methods by default. */
  method?: string;
  /** A substring (case-insensitive) or a regular expression matched against the path. */
  path?: string | RegExp;
  /** A vault name (any label a host pattern captured): only requests to that host match. */
  vault?: string;
  /**
   * Only requests of this operation (case-insensitive), as the request log names it: the route's
   * (`Vaults_CreateOrUpdate`, `CreateKey`) or, where the request names it, the request's (Exchange's
   * InvokeCommand carries the cmdlet, e.g. `Set-Mailbox`).
   */
  operation?: string;
  /** Answer with this status (e.g. 429, 503) instead of serving the request. Omit for latency only. */
  status?: number;
  /** Value of the `Retry-After` header sent with `status`, in seconds; none by default. */
  retryAfterSeconds?: number;
  /** Delay before answering (or before serving, when there is no status). */
  latencyMs?: number;
  /** Chance in [0, 1] that a matching request is affected; default 1. */
  probability?: number;
  /** How many matching requests are affected before the rule expires; default unlimited. */
  count?: number;
  /** How many matching requests pass unharmed before the rule strikes (e.g. 4 hits the 5th); default 0. */
  skip?: number;
  /**
   * When the rule strikes: `request` (default) before the service sees the request; `response`
   * after the service acted and saved its state, in place of its answer, so the client cannot tell
   * whether the change happened (the request log keeps the service's status in `serviceStatus`).
   * A request refused before the service ran (authentication, throttle) or failing with an error the
   * service raised is left alone: it changed nothing.
   */
  stage?: "request" | "response";
  /**
   * `reset` closes the connection without an answer, like a network failure. `hang` never answers:
   * the connection stays open until the client closes it (a timeout, an abort, its process killed),
   * the rule is removed or the faults are cleared (then it is closed), or the emulator stops. A hung
   * request is logged when the hang begins (status 0, fault `hang`), so `requests.waitFor` sees it.
   */
  mode?: "respond" | "reset" | "hang";
}

/** What the server does with one request once the faults have been consulted. */
export interface FaultDecision {
  latencyMs: number;
  respond?: { status: number; retryAfterSeconds?: number; rule: string };
  reset?: boolean;
  /** Hang: `released` resolves when the rule is removed or the faults cleared (the server then closes the connection); `forget` once the client went away. */
  hang?: { released: Promise<void>; forget(): void };
}

interface ActiveRule extends FaultRule {
  id: number;
  remaining: number;
  skipLeft: number;
  /** A vault taken down: the only kind of rule that also hits Key Vault's challenge round trip. */
  down?: boolean;
}

/** Fault injection per route: latency, throttling, 5xx, resets, a vault that is down. */
export class FaultInjector implements PublicFaultInjector {
  #rules: ActiveRule[] = [];
  #nextId = 1;
  /** Releases of hung requests per rule: removing the rule (or clear) ends them. */
  readonly #hung = new Map<ActiveRule, Set<() => void>>();
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Adds a rule; the returned function removes it. */
  inject(rule: FaultRule): () => void {
    return this.#add(rule, false);
  }

  #add(rule: FaultRule, down: boolean): () => void {
    if (rule.status !== undefined && (rule.status < 100 || rule.status > 599)) {
      throw new RangeError(`Fault status must be an HTTP status code, got ${rule.status}.`);
    }
    if (rule.skip !== undefined && !(Number.isInteger(rule.skip) && rule.skip >= 0)) {
      throw new RangeError(`Fault skip must be a whole number of requests, got ${rule.skip}.`);
    }
    const active: ActiveRule = { ...rule, id: this.#nextId++, remaining: rule.count ?? Number.POSITIVE_INFINITY, skipLeft: rule.skip ?? 0, down };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((r) => r !== active);
      this.#release(active);
    };
  }

  /** Ends the hung requests of `rule` (all rules when undefined). */
  #release(rule?: ActiveRule): void {
    for (const [r, releases] of [...this.#hung]) {
      if (rule && r !== rule) continue;
      this.#hung.delete(r);
      for (const release of releases) release();
    }
  }

  /** Takes a vault down: every request to its host fails (503 by default, or connection reset). */
  vaultDown(vaultName: string, options: { mode?: "respond" | "reset" } = {}): () => void {
    return this.#add({ vault: vaultName, status: 503, mode: options.mode ?? "respond" }, true);
  }

  clear(): void {
    this.#rules = [];
    this.#release();
  }

  /**
   * Whether a `vaultDown` rule holds the vault: what Microsoft 365 services see when they call a
   * vault on their own (they consult no other rule, those target HTTP requests).
   */
  isVaultDown(vaultName: string): boolean {
    const name = vaultName.toLowerCase();
    return this.#rules.some((r) => r.down && r.vault?.toLowerCase() === name);
  }

  get active(): readonly FaultRule[] {
    return this.#rules;
  }

  /** Consumes the rules of this stage matching this request and says what to do. */
  decide(request: FaultTarget, stage: "request" | "response" = "request"): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const rule of [...this.#rules]) {
      if ((rule.stage ?? "request") !== stage || !matches(rule, request)) continue;
      if (rule.skipLeft > 0) {
        rule.skipLeft -= 1;
        continue;
      }
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
      decision.latencyMs += rule.latencyMs ?? 0;
      if (decision.respond || decision.reset || decision.hang) continue;
      if (rule.mode === "reset") decision.reset = true;
      else if (rule.mode === "hang") {
        const releases = this.#hung.get(rule) ?? new Set<() => void>();
        this.#hung.set(rule, releases);
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        releases.add(release);
        decision.hang = { released, forget: () => releases.delete(release) };
      }
      else if (rule.status !== undefined) {
        decision.respond = {
          status: rule.status,
          rule: `fault#${rule.id}`,
          ...(rule.retryAfterSeconds !== undefined ? { retryAfterSeconds: rule.retryAfterSeconds } : {}),
        };
      }
    }
    return decision;
  }
}

/** The request as fault rules see it. `challenge` marks Key Vault's tokenless first round trip. */
export interface FaultTarget {
  service: ServiceName;
  method: string;
  path: string;
  /** Labels the service's host pattern captured (a vault name). */
  hostLabels?: readonly string[];
  /** The operation as the request log names it. */
  operation?: string;
  challenge?: boolean;
}

function matches(rule: ActiveRule, req: FaultTarget): boolean {
  // The challenge is the client's tokenless first try, not a real call: only a vault that is down fails it.
  if (req.challenge && !rule.down) return false;
  if (rule.service && rule.service !== req.service) return false;
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (rule.vault && !(req.hostLabels ?? []).includes(rule.vault.toLowerCase())) return false;
  if (rule.operation && rule.operation.toLowerCase() !== req.operation?.toLowerCase()) return false;
  if (rule.path instanceof RegExp) return rule.path.test(req.path);
  if (rule.path) return req.path.toLowerCase().includes(rule.path.toLowerCase());
  return true;
}
