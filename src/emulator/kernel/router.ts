import { ServiceError, type EmulatorRequest, type Reply, type ServiceName } from "./http.js";
import type { Caller } from "./auth.js";
import type { EmulatorCore } from "./core.js";

/** What a route handler receives. */
export interface RouteContext {
  req: EmulatorRequest;
  /** Path parameters, URI-decoded, in the case the client sent. */
  params: Record<string, string>;
  /** The authenticated caller; absent only on routes declared `anonymous`. */
  caller: Caller;
  core: EmulatorCore;
}

export interface Route {
  method: string;
  /** A path such as `/subscriptions/:subscriptionId/resourcegroups/:resourceGroupName`; `:x?` is optional. */
  path: string;
  /** Operation name for the request log (the spec's operationId where there is one). */
  operation: string;
  handler: (ctx: RouteContext) => Promise<Reply> | Reply;
  /** No token needed (Entra endpoints). */
  anonymous?: boolean;
  /** A POST that reads or computes and changes nothing (wrapKey, token): `requests.mutating()` leaves it out. */
  readOnly?: boolean;
  /**
   * For a generic route whose request names what it does (Exchange's InvokeCommand carries the
   * cmdlet in its body): the operation and read-only flag, read before faults are decided so rules
   * and the request log see them. Must not throw (the handler reports a bad request).
   */
  describe?: (req: EmulatorRequest) => Promise<{ operation?: string; readOnly?: boolean }>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

/** A table of routes of one service, matched in order, case-insensitively as ARM paths are. */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  constructor(readonly service: ServiceName, routes: Route[] = []) {
    for (const route of routes) this.add(route);
  }

  add(route: Route): this {
    const names: string[] = [];
    const pattern = route.path
      .replace(/\/+$/, "")
      .split("/")
      .slice(1)
      .map((segment) => {
        const param = /^:(\w+)(\?)?$/.exec(segment);
        if (!param) return "/" + segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(param[1]!);
        return param[2] ? "(?:/([^/]*))?" : "/([^/]+)";
      })
      .join("");
    this.#routes.push({ ...route, names, regex: new RegExp(`^${pattern}/?$`, "i") });
    return this;
  }

  /** The matching route and its parameters; a path that matches with another method gives `methodNotAllowed`. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | "methodNotAllowed" | undefined {
    let pathMatched = false;
    for (const route of this.#routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeSegment(m[i + 1] ?? "")));
      return { route, params };
    }
    return pathMatched ? "methodNotAllowed" : undefined;
  }
}

/** A malformed escape (`%zz`) is the client's error, not a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ServiceError(400, "BadRequest", "The request path is not correctly percent-encoded.");
  }
}
