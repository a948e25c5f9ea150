/** `customer-key plan` and `customer-key apply`: client.onboarding over the configuration file. */
import path from "node:path";
import type { Command } from "commander";
import { OnboardingPreflightError, type PreflightCheck } from "../../index.js";
import { loadCliConfig } from "../cli-config.js";
import { notes, withCommonOptions, type CommonOptions } from "../common-options.js";
import { connect } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { progressBar } from "../progress.js";
import { wrapIndented } from "../terminal-text.js";

interface ApplyOptions extends CommonOptions {
  journal?: string;
}

export const registerPlan: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program.command("plan").description("show every change the configuration needs, in order, without changing anything (like terraform plan)"),
    "customer-key plan --config customer-key.config.yaml",
  ).action(async (options: CommonOptions) => {
    const config = await loadCliConfig(options.config);
    const connection = await connect({ tenant: config.tenantId, ...options });
    try {
      const plan = await connection.client.onboarding.plan(config.onboarding, context.signal ? { abortSignal: context.signal } : {});
      context.io.out(options.json ? JSON.stringify(plan.toJSON(), null, 2) : plan.format());
    } finally {
      await connection.close();
    }
  });
};

export const registerApply: RegisterCommand = (program: Command, context: CliContext) => {
  withCommonOptions(
    program
      .command("apply")
      .description("make the changes of the plan; a journal lets a stopped apply resume where it stopped")
      .option("--journal <file>", "the journal file (default: <config>.journal.json)"),
    "customer-key apply --config customer-key.config.yaml",
  ).action(async (options: ApplyOptions) => {
    const config = await loadCliConfig(options.config);
    const journal = path.resolve(options.journal ?? `${options.config ?? "customer-key.config"}.journal.json`);
    const say = notes(context, options);
    const connection = await connect({ tenant: config.tenantId, ...options });
    try {
      const plan = await connection.client.onboarding.plan(config.onboarding, context.signal ? { abortSignal: context.signal } : {});
      let stepsDone = 0;
      const bar = progressBar("applying", options.json || !context.progress ? { write: (t: string) => context.io.err(t.replace(/\n$/, "")) } : context.progress);
      const result = await connection.client.onboarding
        .beginApply(plan, {
          journal,
          ...(context.signal ? { abortSignal: context.signal } : {}),
          onProgress: (p) => bar.update((stepsDone = p.completed), p.total, p.step.id),
          // A bulk assignment can take minutes inside one step: its mailbox count goes on the same bar.
          onAssignmentProgress: (p) => bar.update(stepsDone, plan.steps.length, `${p.policy} ${p.done + p.failed}/${p.total ?? "?"} mailboxes`),
        })
        .catch((error: unknown) => {
          bar.done("stopped");
          // The message names the failing checks; what each saw and its fix are in the report, which nothing else prints.
          if (error instanceof OnboardingPreflightError) for (const line of failingChecks(error.report)) context.io.err(line);
          throw error;
        });
      bar.done(result.status);
      if (options.json) context.io.out(JSON.stringify(result, null, 2));
      else {
        say(`${result.changed.length} step(s) changed something, ${result.skipped.length} already done.`);
        // The instructions say what to do and when to apply again (the onboarding request's list its key URIs).
        if (result.status === "waiting") say(`Waiting at ${result.waitingFor?.id}: ${result.instructions ?? ""}`);
        if (result.waitingFor?.id !== "microsoft/onboardingRequest") for (const [where, keyId] of Object.entries(result.keys)) say(`  ${where}: ${keyId}`);
      }
    } finally {
      await connection.close();
    }
  });
};

/** Each failing check of a preflight report: what it concerns, what was seen, and its fix, within 100 columns. */
function failingChecks(report: unknown): string[] {
  const checks = (report as { checks?: readonly PreflightCheck[] } | undefined)?.checks ?? [];
  return checks
    .filter((c) => c.status === "fail")
    .flatMap((c) => [...wrapIndented(`${c.id} (${c.target}): ${c.evidence}`, 100, "FAIL "), ...(c.remediation ? wrapIndented(c.remediation, 100, "     Fix: ") : [])]);
}
