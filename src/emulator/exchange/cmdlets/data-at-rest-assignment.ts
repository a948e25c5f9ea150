import { checkKeyAccess, KeyVaultAccessError } from "../../keyvault/service-principal-crypto.js";
import { workloadPrincipal } from "../key-hierarchy.js";
import { exchangeState } from "../model.js";
import { refuseUnassignable, requirePolicy } from "../policies.js";
import { assignmentRow } from "../shapes.js";
import { DATA_AT_REST_ADMIN, noChangeWarning, rows, type Cmdlet } from "./context.js";

/** The tenant's one multi-workload assignment, and the key test of a multi-workload DEP. */

const setAssignment: Cmdlet = {
  name: "Set-M365DataAtRestEncryptionPolicyAssignment",
  roles: DATA_AT_REST_ADMIN,
  readOnly: false,
  parameters: ["DataEncryptionPolicy"],
  run({ core, params }) {
    const policy = requirePolicy(core, "m365", params.string("DataEncryptionPolicy", { required: true }));
    const state = exchangeState(core);
    if (state.m365Assignment === policy.guid) return rows([], [noChangeWarning(policy.name)]);
    refuseUnassignable(policy);
    // One assignment per tenant: assigning another policy replaces it.
    state.m365Assignment = policy.guid;
    policy.state = "Active";
    core.changed();
    return rows([]);
  },
};

const getAssignment: Cmdlet = {
  name: "Get-M365DataAtRestEncryptionPolicyAssignment",
  roles: DATA_AT_REST_ADMIN,
  readOnly: true,
  parameters: [],
  run({ core }) {
    const guid = exchangeState(core).m365Assignment;
    const policy = guid ? exchangeState(core).m365Policies[guid] : undefined;
    return rows(policy ? [assignmentRow(policy)] : []);
  },
};

/**
 * Test-M365DataAtRestEncryptionPolicy: the output shape is not documented; this row (Identity,
 * Name, IsValid, one result line per key) is INVENTED.
 */
const testPolicy: Cmdlet = {
  name: "Test-M365DataAtRestEncryptionPolicy",
  roles: DATA_AT_REST_ADMIN,
  readOnly: true,
  parameters: ["Identity"],
  run({ core, params }) {
    const policy = requirePolicy(core, "m365", params.string("Identity", { required: true }));
    const principal = workloadPrincipal(core, "dataAtRest");
    const results = policy.azureKeyIds.map((keyUri) => {
      if (!principal) return `${keyUri}: Failed (the M365DataAtRestEncryption service principal doesn't exist)`;
      try {
        checkKeyAccess(core, { principalObjectId: principal, keyUri, operations: ["get", "wrapKey", "unwrapKey"] });
        return `${keyUri}: Succeeded`;
      } catch (error) {
        if (!(error instanceof KeyVaultAccessError)) throw error;
        return `${keyUri}: Failed (${error.status} ${error.code}${error.innerCode ? ` ${error.innerCode}` : ""})`;
      }
    });
    return rows([{ Identity: policy.name, Name: policy.name, IsValid: results.every((r) => r.endsWith("Succeeded")), "Results@odata.type": "#Collection(String)", Results: results }]);
  },
};

export const dataAtRestCmdlets: Cmdlet[] = [setAssignment, getAssignment, testPolicy];
