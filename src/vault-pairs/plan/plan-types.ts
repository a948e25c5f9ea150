/** The plan of a vault pair: plain JSON a person can read before anything changes. */
import type { PollerState } from "../../internal/poller.js";
import type { PrincipalKind } from "../../azure/graph-directory.js";
import type { VaultPairSpec } from "../../rules/vault-pair-spec.js";
import type { OperationOptions } from "../../internal/operation.js";

/** What apply does to a resource: create it, update it, or nothing (it already matches). */
export type ChangeKind = "create" | "update" | "noop";

/** The kind of Azure resource a planned change touches. */
export type PlannedResource =
  | "resourceProvider"
  | "resourceGroup"
  | "vault"
  | "roleDefinition"
  | "accessPolicy"
  | "roleAssignment";

/** Which vault of the pair a change belongs to. */
export type PairMember = "primary" | "secondary";

/** One desired resource state and what reaching it takes. `before`/`after` are plain JSON. */
export interface PlannedChange {
  /** Stable within a plan, e.g. `primary/vault` or `secondary/access/<objectId>`. */
  id: string;
  /** Create, update or no-op. */
  kind: ChangeKind;
  /** The kind of resource changed. */
  resource: PlannedResource;
  /** ARM id of the resource (for an access policy entry: `<vault id>/accessPolicies/<objectId>`). */
  target: string;
  /** Which vault of the pair the change belongs to. */
  member: PairMember;
  /** The subscription the change is made in (a GUID). */
  subscriptionId: string;
  /** What exists now (null: nothing). */
  before: Record<string, unknown> | null;
  /** What will exist after apply. */
  after: Record<string, unknown>;
  /** What the change does, in one line for people. */
  description: string;
}

/** Something that blocks apply (`problems`) or that a person should know (`warnings`). */
export interface PlanFinding {
  /**
   * Stable code. Problems use error codes of `CUSTOMER_KEY_ERROR_CODES` (`ERR_VAULT_NAME_TAKEN`,
   * `ERR_PRINCIPAL_NOT_FOUND`, …); warnings are not errors and have their own codes (`REGIONS_PAIRED`).
   */
  code: string;
  /** What is wrong or worth knowing, and how to fix it. */
  message: string;
  /** The resource or spec field concerned. */
  target: string;
}

/** A spec principal as the directory resolved it. */
export interface ResolvedPrincipal {
  /** As written in the spec (UPN or object id); for the workload, its app id. */
  input: string;
  /** Why the principal gets access: key administrator, vault contributor, or the workload's service principal. */
  role: "administrator" | "contributor" | "workload";
  /** The Entra object id (a GUID). */
  objectId: string;
  /** User, service principal or group. */
  kind: PrincipalKind;
  /** The display name Graph reports, when it has one. */
  displayName?: string;
  /** The user principal name, for users. */
  userPrincipalName?: string;
  /** The application id, for service principals. */
  appId?: string;
}

/** What `vaultPairs.plan` found: the changes apply would make, the problems that block it and the warnings. JSON-serialisable. */
export interface VaultPairPlan {
  /** Plan format version. */
  version: 1;
  /** ISO 8601 time the plan was made. */
  createdAt: string;
  /** The tenant the plan was made in. */
  tenantId: string;
  /** The spec the plan was made from. */
  spec: VaultPairSpec;
  /** The changes in the order apply makes them (no-ops included). */
  changes: PlannedChange[];
  /** Problems that block apply (`ERR_PLAN_HAS_PROBLEMS`); empty when the plan can be applied. */
  problems: PlanFinding[];
  /** Findings that do not block apply. */
  warnings: PlanFinding[];
  /** Remarks that are not findings, e.g. that the root key is created by the keys module. */
  notes: string[];
  /** The principals the spec named, as the directory resolved them. */
  resolved: { principals: ResolvedPrincipal[] };
  /** Digest of the changes; apply's resume state names it so it cannot resume another plan. */
  fingerprint: string;
}

/** Options of `vaultPairs.plan`. */
export type PlanOptions = OperationOptions;

/** Progress of `beginApply`: serialisable, resumable with `resumeFrom`. */
export interface ApplyOperationState extends PollerState<ApplyResult> {
  /** The fingerprint of the plan being applied (a resumed apply must match it). */
  fingerprint: string;
  /** How many changes the plan has. */
  total: number;
  /** Ids of the changes already handled (applied, or found done on re-read). */
  completed: string[];
  /** Ids of changes that sent a write. */
  applied: string[];
  /** The change handled last. */
  lastChangeId?: string;
  /** ISO 8601 time the apply started. */
  startedAt: string;
  /** ISO 8601 time of the last step. */
  updatedAt: string;
}

/** What an apply made. */
export interface ApplyResult {
  /** The ids of the changes applied, in order. */
  applied: string[];
  /** Changes that needed no write, because the re-read found them done (or they were noops). */
  unchanged: string[];
}

/** Options of `vaultPairs.beginApply`. */
export interface ApplyOptions extends OperationOptions {
  /** Called with the state after each change (the same as `poller.onProgress`). */
  onProgress?: (state: ApplyOperationState) => void;
  /** `poller.serialize()` of an interrupted apply of the same plan. */
  resumeFrom?: string;
}
