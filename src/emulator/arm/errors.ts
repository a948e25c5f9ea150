import type { Caller } from "../kernel/auth.js";
import { ServiceError } from "../kernel/http.js";

/** One entry of ARM's `error.details`. */
export interface ArmErrorDetail {
  code: string;
  target?: string;
  message: string;
}

/** An ARM error that also carries `error.details` (the ARM service's error reply writes them). */
export class ArmServiceError extends ServiceError {
  constructor(status: number, code: string, message: string, readonly details: readonly ArmErrorDetail[]) {
    super(status, code, message);
  }
}

/** ARM's own errors, with the codes and message shapes Resource Manager uses. */
export const armErrors = {
  missingApiVersion: () =>
    new ServiceError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."),
  subscriptionNotFound: (subscriptionId: string) =>
    new ServiceError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`),
  resourceGroupNotFound: (name: string) =>
    new ServiceError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`),
  resourceNotFound: (type: string, name: string, resourceGroup: string) =>
    new ServiceError(
      404,
      "ResourceNotFound",
      `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  authorizationFailed: (caller: Caller, action: string, scope: string) =>
    new ServiceError(
      403,
      "AuthorizationFailed",
      `The client '${caller.upn ?? caller.objectId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  /** Status, code, message and `details[{code,target,message}]` from public evidence (azure-error-evidence.md §6). */
  missingRegistration: (namespace: string) => {
    const message = `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`;
    return new ArmServiceError(409, "MissingSubscriptionRegistration", message, [{ code: "MissingSubscriptionRegistration", target: namespace, message }]);
  },
  invalidNamespace: (namespace: string) =>
    new ServiceError(404, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`),
  badRequest: (message: string, code = "BadRequest") => new ServiceError(400, code, message),
  invalidRequestContent: (message: string) => new ServiceError(400, "InvalidRequestContent", message),
};
