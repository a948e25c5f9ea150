/**
 * From what the SPO Management Shell cmdlets print to the CustomerKeyStatusInfo shape. The
 * cmdlets' output property names are not documented (research m365-endpoints §3.1): this reads the
 * names of SP.CustomerKeyStatusInfo (§3.3) and a few likely alternatives, and says so in the docs.
 */
import { customerKeyStatusOf, type CustomerKeyStatusInfo } from "../sharepoint-transport.js";


const text = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

function pick(object: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) if (object[name] !== undefined && object[name] !== null) return object[name];
  return undefined;
}

/** Maps one output object of `Get-SPODataEncryptionPolicy` (or `Get-SPOSiteDataEncryptionPolicy`) to the shape. */
export function toCustomerKeyStatusInfo(output: Record<string, unknown>): CustomerKeyStatusInfo {
  const raw = pick(output, ["Status", "State", "CustomerKeyStatus"]);
  const { name: status, code: statusCode } = customerKeyStatusOf(raw) ?? { name: "Unknown", code: -1 };
  return {
    Status: status,
    StatusCode: statusCode,
    RegistrationProgress: text(pick(output, ["RegistrationProgress", "Progress", "PercentComplete"])),
    PrimaryKeyVaultUri: text(pick(output, ["PrimaryKeyVaultUri", "PrimaryKeyUri"])),
    SecondaryKeyVaultUri: text(pick(output, ["SecondaryKeyVaultUri", "SecondaryKeyUri"])),
    AvailabilityKeyVaultUri: text(pick(output, ["AvailabilityKeyVaultUri", "AvailabilityKeyUri"])),
    RecoveryEnabled: pick(output, ["RecoveryEnabled"]) === true || text(pick(output, ["RecoveryEnabled"])).toLowerCase() === "true",
  };
}

/** True when the object looks like a status (has a status field), so a cmdlet's own output can be used as the result. */
export function looksLikeStatus(output: unknown): output is Record<string, unknown> {
  return typeof output === "object" && output !== null && pick(output as Record<string, unknown>, ["Status", "State", "CustomerKeyStatus"]) !== undefined;
}
