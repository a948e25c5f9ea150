import { createHash } from "node:crypto";
import { exchangeState } from "../model.js";
import { organizationRow } from "../shapes.js";
import { EXCHANGE_ADMIN, rows, type Cmdlet } from "./context.js";

const getOrganizationConfig: Cmdlet = {
  name: "Get-OrganizationConfig",
  roles: EXCHANGE_ADMIN,
  readOnly: true,
  parameters: [],
  run({ core }) {
    const h = createHash("sha256").update(`${core.tenantId}:organization`).digest("hex");
    const guid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return rows([organizationRow({ name: core.directory.defaultDomain, displayName: core.directory.organizationName, guid, tenantDomain: core.directory.defaultDomain, createdAt: exchangeState(core).createdAt })]);
  },
};

export const organizationCmdlets: Cmdlet[] = [getOrganizationConfig];
