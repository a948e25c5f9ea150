import { exoErrors } from "../errors.js";
import { assignedPolicy, encryptedWith, startMove } from "../mailbox-moves.js";
import { exchangeState } from "../model.js";
import { refuseUnassignable, requirePolicy } from "../policies.js";
import { findMailbox, findMailUser, mailboxView, mailUserView } from "../recipients.js";
import { mailboxRow, mailUserRow, statisticsRow } from "../shapes.js";
import { EXCHANGE_ADMIN, noChangeWarning, rows, type Cmdlet, type CmdletContext, type CmdletResult } from "./context.js";

/** Get-/Set-Mailbox, Get-/Set-MailUser, Get-MailboxStatistics over the seeded recipients. */

/** Default `ResultSize` of the recipient cmdlets. */
const DEFAULT_RESULT_SIZE = 1000;
/** Seen on the wire (g2o) with truncated results. */
export const MORE_RESULTS_WARNING = "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.";

function policyName(ctx: CmdletContext, guid: string | null): string | null {
  return guid === null ? null : (exchangeState(ctx.core).policies[guid]?.name ?? null);
}

/** All `count` recipients (or one by identity), capped by ResultSize, rows built per page. */
function listing(ctx: CmdletContext, count: number, find: (id: string) => number | undefined, build: (n: number) => unknown, notFound: (id: string) => Error): CmdletResult {
  const identity = ctx.params.string("Identity");
  if (identity !== undefined) {
    const n = find(identity);
    if (n === undefined) throw notFound(identity);
    return rows([build(n)]);
  }
  const limit = ctx.params.resultSize(DEFAULT_RESULT_SIZE);
  const shown = Math.min(count, limit);
  return {
    count: shown,
    slice: (from, to) => Array.from({ length: Math.max(0, Math.min(to, shown) - from) }, (_, i) => build(from + i + 1)),
    ...(count > limit ? { warnings: [MORE_RESULTS_WARNING] } : {}),
  };
}

const getMailbox: Cmdlet = {
  name: "Get-Mailbox",
  roles: EXCHANGE_ADMIN,
  readOnly: true,
  parameters: ["Identity", "ResultSize"],
  run(ctx) {
    const { core } = ctx;
    const state = exchangeState(core);
    return listing(ctx, state.mailboxCount, (id) => findMailbox(core, id), (n) => mailboxRow(mailboxView(core, n), policyName(ctx, assignedPolicy(core, n)), core.directory.defaultDomain, state.createdAt), () => exoErrors.mailboxNotFound());
  },
};

const getMailUser: Cmdlet = {
  name: "Get-MailUser",
  roles: EXCHANGE_ADMIN,
  readOnly: true,
  parameters: ["Identity", "ResultSize"],
  run(ctx) {
    const { core } = ctx;
    const state = exchangeState(core);
    return listing(ctx, state.mailUserCount, (id) => findMailUser(core, id), (n) => mailUserRow(mailUserView(core, n), policyName(ctx, state.mailUsers[n]?.policy ?? null), core.directory.defaultDomain, state.createdAt), (id) => exoErrors.objectNotFound(id));
  },
};

const getMailboxStatistics: Cmdlet = {
  name: "Get-MailboxStatistics",
  roles: EXCHANGE_ADMIN,
  readOnly: true,
  parameters: ["Identity"],
  run(ctx) {
    const { core, params } = ctx;
    const identity = params.string("Identity", { required: true });
    const n = findMailbox(core, identity);
    if (n === undefined) throw exoErrors.mailboxNotFound();
    return rows([statisticsRow(mailboxView(core, n), encryptedWith(core, n))]);
  },
};

/** The DEP a Set-Mailbox/Set-MailUser names: `null` unassigns; a purge-requested or disabled one is refused. */
function targetPolicy(ctx: CmdletContext): string | null {
  const value = ctx.params.nullableString("DataEncryptionPolicy");
  if (value === undefined) throw exoErrors.missingParameter("DataEncryptionPolicy");
  if (value === null) return null;
  const policy = requirePolicy(ctx.core, "mailbox", value);
  refuseUnassignable(policy);
  return policy.guid;
}

/** Marks a DEP active on its first assignment (the inferred `State` lifecycle). */
function activate(ctx: CmdletContext, guid: string | null): void {
  const policy = guid ? exchangeState(ctx.core).policies[guid] : undefined;
  if (policy && policy.state === "PendingActivation") {
    policy.state = "Active";
    ctx.core.changed();
  }
}

const setMailbox: Cmdlet = {
  name: "Set-Mailbox",
  roles: EXCHANGE_ADMIN,
  readOnly: false,
  // Of Set-Mailbox's many parameters the emulator knows only the Customer Key one.
  parameters: ["Identity", "DataEncryptionPolicy"],
  async run(ctx) {
    const identity = ctx.params.string("Identity", { required: true });
    const n = findMailbox(ctx.core, identity);
    if (n === undefined) throw exoErrors.objectNotFound(identity);
    const guid = targetPolicy(ctx);
    if (!(await startMove(ctx.core, n, guid))) return rows([], [noChangeWarning(identity)]);
    activate(ctx, guid);
    return rows([]);
  },
};

const setMailUser: Cmdlet = {
  name: "Set-MailUser",
  roles: EXCHANGE_ADMIN,
  readOnly: false,
  parameters: ["Identity", "DataEncryptionPolicy"],
  run(ctx) {
    const identity = ctx.params.string("Identity", { required: true });
    const n = findMailUser(ctx.core, identity);
    if (n === undefined) throw exoErrors.objectNotFound(identity);
    const guid = targetPolicy(ctx);
    const state = exchangeState(ctx.core);
    if ((state.mailUsers[n]?.policy ?? null) === guid) return rows([], [noChangeWarning(identity)]);
    state.mailUsers[n] = { policy: guid };
    activate(ctx, guid);
    ctx.core.changed();
    return rows([]);
  },
};

export const recipientCmdlets: Cmdlet[] = [getMailbox, getMailUser, getMailboxStatistics, setMailbox, setMailUser];
