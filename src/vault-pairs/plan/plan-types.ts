/** The plan of a vault pair: plain JSON a person can read before anything changes. */
import type { PollerState } from "../../internal/poller.js";
import type { PrincipalKind } from "../../azure/graph-directory.js";
import type { VaultPairSpec } from "../../rules/vault-pair-spec.js";
import type { OperationOptions } from "../../internal/operation.js";

export type ChangeKind = "create" | "update" | "noop";

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
  kind: ChangeKind;
  resource: PlannedResource;
  /** ARM id of the resource (for an access policy entry: `<vault id>/accessPolicies/<objectId>`). */
  target: string;
  member: PairMember;
  subscriptionId: string;
  /** What exists now (null: nothing). */
  before: Record<string, unknown> | null;
  /** What will exist after apply. */
  after: Record<string, unknown>;
  description: string;
}

/** Something that blocks apply (`problems`) or that a person should know (`warnings`). */
export interface PlanFinding {
  /** Stable code, e.g. `VAULT_NAME_TAKEN`, `PRINCIPAL_NOT_FOUND`. */
  code: string;
  message: string;
  /** The resource or spec field concerned. */
  target: string;
}

/** A spec principal as the directory resolved it. */
export interface ResolvedPrincipal {
  /** As written in the spec (UPN or object id); for the workload, its app id. */
  input: string;
  role: "administrator" | "contributor" | "workload";
  objectId: string;
  kind: PrincipalKind;
  displayName?: string;
  userPrincipalName?: string;
  appId?: string;
}

export interface VaultPairPlan {
  /** Plan format version. */
  version: 1;
  createdAt: string;
  tenantId: string;
  spec: VaultPairSpec;
  changes: PlannedChange[];
  problems: PlanFinding[];
  warnings: PlanFinding[];
  /** Remarks that are not findings, e.g. that the root key is created by the keys module. */
  notes: string[];
  resolved: { principals: ResolvedPrincipal[] };
  /** Digest of the changes; apply's resume state names it so it cannot resume another plan. */
  fingerprint: string;
}

export type PlanOptions = OperationOptions;

/** Progress of `beginApply`: serialisable, resumable with `resumeFrom`. */
export interface ApplyOperationState extends PollerState<ApplyResult> {
  fingerprint: string;
  total: number;
  /** Ids of the changes already handled (applied, or found done on re-read). */
  completed: string[];
  /** Ids of changes that sent a write. */
  applied: string[];
  /** The change handled last. */
  lastChangeId?: string;
  startedAt: string;
  updatedAt: string;
}

export interface ApplyResult {
  applied: string[];
  /** Changes that needed no write, because the re-read found them done (or they were noops). */
  unchanged: string[];
}

export interface ApplyOptions extends OperationOptions {
  onProgress?: (state: ApplyOperationState) => void;
  /** `poller.serialize()` of an interrupted apply of the same plan. */
  resumeFrom?: string;
}
