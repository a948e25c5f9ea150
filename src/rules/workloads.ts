/** The Microsoft 365 workloads a vault pair serves, and the service principals that use the root keys. */

/** The data encryption policy type a vault pair serves; one pair per workload. */
export type Workload = "exchange" | "sharePoint" | "multiWorkload";

/**
 * App ids of the Microsoft 365 service principals that wrap and unwrap with the root keys
 * (customer-key-set-up, CK-2023; research azure-regions-and-key-rules.md §3.1).
 */
export const WORKLOAD_APP_IDS: Readonly<Record<Workload, string>> = Object.freeze({
  exchange: "00000002-0000-0ff1-ce00-000000000000",
  sharePoint: "00000003-0000-0ff1-ce00-000000000000",
  multiWorkload: "c066d759-24ae-40e7-a56f-027002b5d3e4",
});

/** Display names Microsoft gives for those service principals. */
export const WORKLOAD_DISPLAY_NAMES: Readonly<Record<Workload, string>> = Object.freeze({
  exchange: "Office 365 Exchange Online",
  sharePoint: "Office 365 SharePoint Online",
  multiWorkload: "M365DataAtRestEncryption",
});

