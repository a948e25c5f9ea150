/** Public types of client.onboarding: the plan, its steps, apply's options and result. */
import type { OperationOptions } from "../internal/operation.js";
import type { OnboardingConfig } from "./config-types.js";

/** What a step does: `create` or `update` change something, `noop` is already so, `wait` is for someone else (Microsoft), `check` reads. */
export type OnboardingStepKind = "create" | "update" | "noop" | "wait" | "check";

/** The phases of an onboarding, in the order they run. */
export type OnboardingPhase = "doNotCancel" | "vaults" | "keys" | "backups" | "preflight" | "policies" | "assignments";

/** One step of an onboarding plan. */
export interface OnboardingStep {
  /** Stable id within the plan, e.g. `keys/exchange/primary` (the journal records steps by id). */
  id: string;
  /** The phase. */
  phase: OnboardingPhase;
  /** create, update, noop, wait or check. */
  kind: OnboardingStepKind;
  /** What it acts on: a subscription, vault, key, directory, policy. */
  target: string;
  /** Why, from the state read: e.g. `key not found`, `feature Pending: Microsoft approves it`. */
  reason: string;
}

/** The plan of an onboarding: every step in order, read from the current state (nothing changed). */
export interface OnboardingPlan {
  /** The configuration it was made from. */
  readonly config: OnboardingConfig;
  /** ISO time it was made. */
  readonly createdAt: string;
  /** The steps, in order. */
  readonly steps: readonly OnboardingStep[];
  /** Counts of steps by kind. */
  readonly summary: Readonly<Record<OnboardingStepKind, number>>;
  /** The plan as text, at most 100 columns wide. */
  format(): string;
  /** The plan as plain JSON (config, createdAt, steps, summary). */
  toJSON(): { config: OnboardingConfig; createdAt: string; steps: OnboardingStep[]; summary: Record<OnboardingStepKind, number> };
}

/** Options of `onboarding.plan`. */
export type OnboardingPlanOptions = OperationOptions;

/** Progress of an apply, after each step. */
export interface OnboardingProgress {
  /** The step just finished (or reached, when waiting). */
  step: OnboardingStep;
  /** `done` (changed something), `skipped` (already so), `checked` (a read-only check passed), or `waiting`. */
  outcome: "done" | "skipped" | "checked" | "waiting";
  /** Steps finished so far. */
  completed: number;
  /** Steps in the plan. */
  total: number;
}

/** Progress of an Exchange policy's mailbox assignment, within its `assignments` step. */
export interface OnboardingAssignmentProgress {
  /** The policy being assigned. */
  policy: string;
  /** Mailboxes that have it now (assigned in this run, or found assigned). */
  done: number;
  /** Mailboxes that failed for good in this run. */
  failed: number;
  /** Mailboxes in the step (done, failed and not handled yet); undefined while not known yet. */
  total: number | undefined;
  /** Assignments per second sent in this run. */
  rate: number;
}

/** Options of `onboarding.beginApply`. */
export interface OnboardingApplyOptions extends OperationOptions {
  /** The journal file: each finished step is recorded (atomically) so a new apply resumes after it. */
  journal?: string;
  /** Called after each step. */
  onProgress?: (progress: OnboardingProgress) => void;
  /** Called while a step assigns mailboxes (which can take minutes), at most every 250 ms and at its end. */
  onAssignmentProgress?: (progress: OnboardingAssignmentProgress) => void;
}

/** How an apply ended: `completed`, or `waiting` at a step only someone else can do (apply again later). */
export type OnboardingApplyStatus = "completed" | "waiting";

/** The result of an apply. */
export interface OnboardingApplyResult {
  /** completed, or waiting (see `waitingFor`). */
  status: OnboardingApplyStatus;
  /** The step it waits at, when waiting. */
  waitingFor?: OnboardingStep;
  /** What to do before applying again, when waiting. */
  instructions?: string;
  /** Steps that changed something in this run. */
  changed: string[];
  /** Steps found already done (noop, or recorded in the journal). */
  skipped: string[];
  /** Read-only checks that passed (the preflight reports). */
  checked: string[];
  /** The key ids (versioned) per workload and vault, as created or found. */
  keys: Record<string, string>;
}
