/**
 * block-account: PATCH accountEnabled false, then POST revokeSignInSessions (docs/controls.md
 * guardrails). Fixes accounts.inactive-30/-90, and an mfa.admins admin who is not registered.
 * Undo re-enables the account; revoked sessions stay revoked (the user signs in again).
 */
import { toSnapshotUser } from "../../collect/users.js";
import { stepOrMissing } from "../graph-calls.js";
import { GRAPH_STEPS } from "../permissions.js";
import { done, refused, segment, stale, subjectOf, type ActionHandler } from "./action.js";

/** What the block needs to know besides the finding: the account state and where it is mastered. */
const USER_SELECT = ["id", "userPrincipalName", "displayName", "accountEnabled", "onPremisesSyncEnabled"];

export const ON_PREMISES_MESSAGE =
  "is synchronised from on-premises Active Directory: it must be disabled in on-premises Active Directory " +
  "(the next sync would undo a cloud change, and Graph refuses it)";

export const blockAccount: ActionHandler = {
  action: "block-account",
  subject: "user",
  controls: ["accounts.inactive-30", "accounts.inactive-90", "mfa.admins"],
  disablesAccounts: true,

  async apply(ctx) {
    const { client, trace } = ctx;
    const userId = subjectOf(ctx);
    const raw = await stepOrMissing(GRAPH_STEPS.readAccount, async () => {
      return (await client
        .api(`/users/${segment(userId)}`)
        .select(USER_SELECT)
        .get()) as Record<string, unknown>;
    });
    if (raw === undefined) return stale(`User ${userId} no longer exists; nothing to block.`);
    const user = toSnapshotUser(raw);
    const name = user.userPrincipalName;
    trace.before = { accountEnabled: user.accountEnabled };
    if (!user.accountEnabled) return stale(`${name} is already disabled; nothing changed.`);
    if (user.onPremisesSyncEnabled === true) return refused(`Not blocked: ${name} ${ON_PREMISES_MESSAGE}.`);

    trace.graphRequestId = await ctx.write(GRAPH_STEPS.disableAccount, {
      method: "PATCH",
      path: `/users/${segment(user.id)}`,
      body: { accountEnabled: false },
    });
    trace.after = { accountEnabled: false, sessionsRevoked: false };
    trace.partial = `The account ${name} is blocked (sign-in disabled), but its existing sessions were NOT revoked`;
    await ctx.write(GRAPH_STEPS.revokeSessions, { method: "POST", path: `/users/${segment(user.id)}/revokeSignInSessions` });
    trace.after = { accountEnabled: false, sessionsRevoked: true };
    return done(`Blocked ${name}: sign-in disabled and existing sessions revoked.`);
  },

  async undo(ctx, original) {
    const { client, trace } = ctx;
    const userId = subjectOf(ctx);
    if (original.before?.accountEnabled !== true) {
      return refused(`Audit row ${original.auditId} does not record the account as enabled before; nothing to restore.`);
    }
    const raw = await stepOrMissing(GRAPH_STEPS.readAccount, async () => {
      const select = ["id", "userPrincipalName", "accountEnabled"];
      return (await client
        .api(`/users/${segment(userId)}`)
        .select(select)
        .get()) as Record<string, unknown>;
    });
    if (raw === undefined) return stale(`User ${userId} no longer exists; nothing to re-enable.`);
    const name = typeof raw.userPrincipalName === "string" ? raw.userPrincipalName : userId;
    trace.before = { accountEnabled: raw.accountEnabled === true };
    // An enabled read right after the block may lag behind it (eventual consistency); enabling is
    // idempotent, so the write is sent either way and the outcome says what the read showed.
    const lagging = raw.accountEnabled === true;

    trace.graphRequestId = await ctx.write(GRAPH_STEPS.enableAccount, {
      method: "PATCH",
      path: `/users/${segment(userId)}`,
      body: { accountEnabled: true },
    });
    trace.after = { accountEnabled: true };
    const note = lagging ? " (it already read as enabled; enabled again in case that read lagged behind the block)" : "";
    return done(`Re-enabled ${name}${note}. Sessions revoked by the block stay revoked: the user signs in again.`);
  },
};
