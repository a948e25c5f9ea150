/** Host names of the emulated services; every `*.localhost` name resolves to loopback (RFC 6761). */
export const EMULATOR_HOSTS = {
  login: "login.localhost",
  management: "management.localhost",
  graph: "graph.localhost",
  outlook: "outlook.localhost",
  vaultSuffix: "vault.localhost",
  sharePointSuffix: "sharepoint.localhost",
} as const;

/** The addresses of the emulated services. */
export interface EmulatorEndpoints {
  /** The TCP port the emulator listens on (127.0.0.1). */
  port: number;
  /** Entra ID authority host, for `authorityHost` of `@azure/identity` credentials. */
  authorityHost: string;
  /** Azure Resource Manager URL, for `endpoint` of `@azure/arm-*` clients: `https://management.localhost:{port}`. */
  resourceManager: string;
  /** Microsoft Graph URL: `https://graph.localhost:{port}`. */
  graph: string;
  /** Exchange Online admin endpoint (served from a later release of the emulator). */
  exchange: string;
  /** The data-plane URL of a vault: `https://{name}.vault.localhost:{port}`. */
  vaultUrl(name: string): string;
  /** The SharePoint admin centre URL of the emulated tenant. */
  sharePointAdmin: string;
}

/** The endpoints of an emulator listening on `port`. */
export function endpointsFor(port: number): EmulatorEndpoints {
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
