import { ServiceError } from "../kernel/http.js";

/**
 * Exchange Online's errors as InvokeCommand answers them (research m365-wire-shapes §2).
 * Envelope A (gateway/argument errors): `error.message` "Invalid Operation", the text in
 * `innererror.internalexception`, `details[0].message` = `|<class>|<text>` (empty ErrorId).
 * Envelope B (cmdlet errors): `error.message` "Error executing cmdlet", `details[0].message` =
 * `<ErrorId>|<class>|<text>`. The generic ids and classes are seen on the wire; every
 * Customer-Key-specific text and ErrorId below is INVENTED (no capture exists) and marked so.
 */
export class ExchangeError extends ServiceError {
  constructor(
    status: number,
    code: string,
    /** `A` gateway/argument error, `B` cmdlet error. */
    readonly envelope: "A" | "B",
    /** `ExNNNNNN`, empty for envelope A. */
    readonly errorId: string,
    /** .NET exception class. */
    readonly exceptionClass: string,
    text: string,
  ) {
    super(status, code, text);
    this.name = "ExchangeError";
  }
}

const tasks = "Microsoft.Exchange.Configuration.Tasks";
const notFoundClass = `${tasks}.ManagementObjectNotFoundException`;
/** Generic wrappers Exchange task code throws for rule violations (research §2.3 proposal). */
const invalidOperation = `${tasks}.TaskInvalidOperationException`;
const argumentClass = `${tasks}.TaskArgumentException`;

export const exoErrors = {
  /** Seen: Ex6F9304, the generic not-found (404 per goapi). */
  objectNotFound: (id: string) =>
    new ExchangeError(404, "NotFound", "B", "Ex6F9304", notFoundClass, `The operation couldn't be performed because object '${id}' couldn't be found on 'EMULATOR01A001.PROD.OUTLOOK.COM'.`),
  /** Seen: Ex41BAF5 (CIPP test). */
  mailboxNotFound: () => new ExchangeError(404, "NotFound", "B", "Ex41BAF5", notFoundClass, "The specified mailbox doesn't exist."),
  /** Seen (goapi): already-exists, 400 BadRequest, no ErrorId known; the id here is invented. */
  alreadyExists: (dn: string) =>
    new ExchangeError(400, "BadRequest", "B", "Ex2B9D1A", `${tasks}.ManagementObjectAlreadyExistsException`, `The object '${dn}' already exists.`),
  /** Seen class and text form (g2o): an unknown parameter. */
  unknownParameter: (name: string) =>
    new ExchangeError(400, "BadRequest", "A", "", "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException", `Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. ${name}`),
  /** Seen class (g2o): a value of the wrong type or enum. Text invented after its pattern. */
  badParameterValue: (name: string, detail: string) =>
    new ExchangeError(400, "BadRequest", "A", "", "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException", `Cannot process argument transformation on parameter '${name}'. ${detail}`),
  /** Seen (qa-1023619, g2o): the stale paging cursor. */
  expiredCursor: () => new ExchangeError(400, "BadRequest", "A", "", "System.Exception", "Expired or Invalid pagination request. Default Expiry time is 00:30:00"),
  /** INVENTED text: a malformed request envelope. */
  badRequest: (text: string) => new ExchangeError(400, "BadRequest", "A", "", "System.ArgumentException", text),
  /** INVENTED: a missing mandatory parameter (PowerShell would prompt; the gateway refuses). */
  missingParameter: (name: string) =>
    new ExchangeError(400, "BadRequest", "A", "", "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterBindingException", `Cannot process command because of one or more missing mandatory parameters: ${name}.`),
  /** INVENTED text for a Customer Key rule violation (class per research §2.3). */
  invalidOperation: (errorId: string, text: string) => new ExchangeError(400, "BadRequest", "B", errorId, invalidOperation, text),
  /** INVENTED text for an invalid argument (class per research §2.3). */
  invalidArgument: (errorId: string, text: string) => new ExchangeError(400, "BadRequest", "B", errorId, argumentClass, text),
};
