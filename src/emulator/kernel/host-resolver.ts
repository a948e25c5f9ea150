import type { EmulatorRequest } from "./http.js";
import type { ServiceDefinition } from "./service-definition.js";

/** Which service a request is for, and the labels its host pattern captured. */
export interface Resolved {
  service: ServiceDefinition;
  hostParams: Record<string, string>;
}

interface HostPattern {
  regex: RegExp;
  names: string[];
  service: ServiceDefinition;
}

const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Maps a request to a service from the services' own declarations: exact host names first, then
 * host patterns, then (on plain loopback) the first path segment, then a `*` catch-all.
 */
export class HostResolver {
  readonly #exact = new Map<string, ServiceDefinition>();
  readonly #patterns: HostPattern[] = [];
  readonly #localPaths = new Map<string, ServiceDefinition>();
  #localFallback: ServiceDefinition | undefined;

  add(service: ServiceDefinition): void {
    for (const host of service.hosts) {
      const lower = host.toLowerCase();
      if (!lower.includes("{")) {
        this.#claim(this.#exact, lower, service);
        continue;
      }
      const names: string[] = [];
      const source = lower
        .split(/(\{\w+\})/)
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(name);
          // One DNS label; lazy so a literal that follows (`-admin`) stays outside it.
          return "([a-z0-9-]+?)";
        })
        .join("");
      this.#patterns.push({ regex: new RegExp(`^${source}$`), names, service });
    }
    for (const segment of service.localPaths ?? []) {
      if (segment === "*") {
        if (this.#localFallback) throw new Error(`Services '${this.#localFallback.name}' and '${service.name}' both claim every localhost path.`);
        this.#localFallback = service;
      } else this.#claim(this.#localPaths, segment.toLowerCase(), service);
    }
  }

  resolve(req: EmulatorRequest): Resolved | undefined {
    const host = req.hostname;
    const exact = this.#exact.get(host);
    if (exact) return { service: exact, hostParams: {} };
    for (const pattern of this.#patterns) {
      const m = pattern.regex.exec(host);
      if (!m) continue;
      const hostParams: Record<string, string> = {};
      pattern.names.forEach((name, i) => (hostParams[name] = m[i + 1]!));
      return { service: pattern.service, hostParams };
    }
    if (!loopback.has(host)) return undefined;
    const first = req.path.split("/")[1]?.toLowerCase() ?? "";
    const service = this.#localPaths.get(first) ?? this.#localFallback;
    return service ? { service, hostParams: {} } : undefined;
  }

  #claim(table: Map<string, ServiceDefinition>, key: string, service: ServiceDefinition): void {
    const holder = table.get(key);
    if (holder && holder !== service) throw new Error(`Services '${holder.name}' and '${service.name}' both claim '${key}'.`);
    table.set(key, service);
  }
}
