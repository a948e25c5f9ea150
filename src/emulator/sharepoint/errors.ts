import { ServiceError } from "../kernel/http.js";

/**
 * SharePoint REST errors. `code` is SharePoint's `"<HRESULT>, <.NET class>"` string (research
 * m365-wire-shapes §3.3). The classes and statuses follow that note's proposal: 500 + SPException
 * for state conflicts, 403 + UnauthorizedAccessException for callers without the role, 400 +
 * InvalidClientQueryException for malformed bodies. Every Customer-Key text below is invented
 * (no real text was found); the generic ones are SharePoint's own.
 */
export const SP_EXCEPTION = "-2146232832, Microsoft.SharePoint.SPException";
export const UNAUTHORIZED_ACCESS = "-2147024891, System.UnauthorizedAccessException";
export const INVALID_CLIENT_QUERY = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException";
export const FILE_NOT_FOUND = "-2147024894, System.IO.FileNotFoundException";
/** Throttling answer's class [INF: 429 bodies of SharePoint were not captured]. */
export const REQUEST_LIMIT_EXCEEDED = "-2146232832, Microsoft.SharePoint.SPRequestLimitExceededException";

const spException = (message: string) => new ServiceError(500, SP_EXCEPTION, message);

export const spErrors = {
  accessDenied: () => new ServiceError(403, UNAUTHORIZED_ACCESS, "Access denied. You do not have permission to perform this action or access this resource."),
  badRequest: (message: string) => new ServiceError(400, INVALID_CLIENT_QUERY, message),
  unknownParameter: (parameter: string, method: string) => new ServiceError(400, INVALID_CLIENT_QUERY, `The parameter ${parameter} does not exist in method ${method}.`),
  missingParameter: (parameter: string, method: string) => new ServiceError(400, INVALID_CLIENT_QUERY, `The required parameter ${parameter} of method ${method} is missing.`),
  siteNotFound: () => new ServiceError(404, FILE_NOT_FOUND, "File Not Found."),
  notAdminSite: (method: string) => spException(`${method} can only be called on the tenant administration site.`),
  notRegistered: () => spException("The tenant is not registered with customer keys. Register the tenant's keys first."),
  alreadyRegistered: () => spException("The tenant is already registered with customer keys. To change a key, roll it."),
  registrationInProgress: () => spException("A customer key registration is in progress for this tenant. Wait for it to complete."),
  rollInProgress: () => spException("A customer key roll is in progress for this tenant. SharePoint Online only allows you to roll one key at a time; wait for the current roll to complete."),
  recoveryInProgress: () => spException("The tenant is in customer key recovery. Restore the tenant's keys first."),
  notInRecovery: () => spException("The tenant is not in customer key recovery mode."),
  sameVault: () => spException("The primary and the secondary key must be in two different key vaults."),
  sameKey: (slot: string) => spException(`The ${slot} key given is the key already registered; roll to a new key or key version.`),
  keyVersionRequired: (slot: string) => spException(`The ${slot} key must name a key version.`),
  invalidKey: (slot: string, detail: string) => spException(`The ${slot} key vault information is not valid: ${detail}`),
  keyAccess: (slot: string, keyUri: string, vaultCode: string, vaultMessage: string) =>
    spException(`SharePoint Online cannot use the ${slot} key '${keyUri}': Azure Key Vault answered ${vaultCode}: ${vaultMessage}`),
  noServicePrincipal: () => spException("The Office 365 SharePoint Online service principal is missing from the tenant, so it cannot access the key vaults."),
};
