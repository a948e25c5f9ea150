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
  /** `reset` closes the connection without an answer, like a network failure. */
  mode?: "respond" | "reset";
}

/** What the server does with one request once the faults have been consulted. */
export interface FaultDecision {
  latencyMs: number;
  respond?: { status: number; retryAfterSeconds?: number; rule: string };
  reset?: boolean;
}

interface ActiveRule extends FaultRule {
  id: number;
  remaining: number;
  /** A vault taken down: the only kind of rule that also hits Key Vault's challenge round trip. */
  down?: boolean;
}

/** Fault injection per route: latency, throttling, 5xx, resets, a vault that is down. */
export class FaultInjector implements PublicFaultInjector {
  #rules: ActiveRule[] = [];
  #nextId = 1;
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
    const active: ActiveRule = { ...rule, id: this.#nextId++, remaining: rule.count ?? Number.POSITIVE_INFINITY, down };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((r) => r !== active);
    };
  }

  /** Takes a vault down: every request to its host fails (503 by default, or connection reset). */
  vaultDown(vaultName: string, options: { mode?: "respond" | "reset" } = {}): () => void {
    return this.#add({ vault: vaultName, status: 503, mode: options.mode ?? "respond" }, true);
  }

  clear(): void {
    this.#rules = [];
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

  /** Consumes the rules matching this request and says what to do. */
  decide(request: FaultTarget): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const rule of [...this.#rules]) {
      if (!matches(rule, request)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
      decision.latencyMs += rule.latencyMs ?? 0;
      if (decision.respond || decision.reset) continue;
      if (rule.mode === "reset") decision.reset = true;
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
  challenge?: boolean;
}

function matches(rule: ActiveRule, req: FaultTarget): boolean {
  // The challenge is the client's tokenless first try, not a real call: only a vault that is down fails it.
  if (req.challenge && !rule.down) return false;
  if (rule.service && rule.service !== req.service) return false;
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (rule.vault && !(req.hostLabels ?? []).includes(rule.vault.toLowerCase())) return false;
  if (rule.path instanceof RegExp) return rule.path.test(req.path);
  if (rule.path) return req.path.toLowerCase().includes(rule.path.toLowerCase());
  return true;
}
