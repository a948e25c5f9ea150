import type { Cmdlet } from "./context.js";
import { dataAtRestCmdlets } from "./data-at-rest-assignment.js";
import { policyCmdlets } from "./data-encryption-policy.js";
import { organizationCmdlets } from "./organization.js";
import { recipientCmdlets } from "./recipients.js";

/** Every cmdlet the emulated Exchange Online serves, by lower-case name (PowerShell names are case-insensitive). */
export const CMDLETS: ReadonlyMap<string, Cmdlet> = new Map(
  [...policyCmdlets, ...dataAtRestCmdlets, ...recipientCmdlets, ...organizationCmdlets].map((c) => [c.name.toLowerCase(), c]),
);
