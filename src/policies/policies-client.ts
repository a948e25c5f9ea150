/** client.policies: data encryption policies of Exchange Online, SharePoint Online and several workloads. */
import type { ExchangePoliciesOperations } from "./exchange/exchange-policies-client.js";
import type { MultiWorkloadPoliciesOperations } from "./multi-workload/multi-workload-policies-client.js";
import type { SharePointPoliciesOperations } from "./sharepoint/sharepoint-policies-client.js";

/** The policy operations of each workload. */
export interface PoliciesOperations {
  /** Mailbox data encryption policies of Exchange Online, their assignment (one or thousands of mailboxes) and the purge request. */
  exchange: ExchangePoliciesOperations;
  /** SharePoint Online's Customer Key registration and rolls, one policy per geo. */
  sharePoint: SharePointPoliciesOperations;
  /** Multi-workload data encryption policies and the tenant's assignment. */
  multiWorkload: MultiWorkloadPoliciesOperations;
}
