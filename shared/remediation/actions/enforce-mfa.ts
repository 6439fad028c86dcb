/**
 * enforce-mfa: per-user MFA state → `enforced` (beta users/{id}/authentication/requirements,
 * graph-facts §5). Fixes mfa.admins. Undo puts the previous state back.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { PerUserMfaState } from "../../model/snapshot.js";
import { stepOrMissing } from "../graph-calls.js";
import { GRAPH_STEPS } from "../permissions.js";
import { done, refused, segment, stale, subjectOf, type ActionContext, type ActionHandler } from "./action.js";

const STATES: readonly string[] = ["disabled", "enabled", "enforced", "unknownFutureValue"] satisfies PerUserMfaState[];
/** States undo may write back ("enforced" is what the action set; unknownFutureValue is not settable). */
const RESTORABLE: readonly string[] = ["disabled", "enabled"];

const requirementsPath = (userId: string) => `/users/${segment(userId)}/authentication/requirements`;

async function readState(client: Client, userId: string): Promise<string | undefined> {
  const body = await stepOrMissing(GRAPH_STEPS.readMfaState, async () => {
    return (await client.api(requirementsPath(userId)).version("beta").get()) as { perUserMfaState?: unknown } | undefined;
  });
  if (body === undefined) return undefined;
  const state = body?.perUserMfaState;
  if (typeof state !== "string" || !STATES.includes(state)) {
    throw new TypeError(`Graph returned per-user MFA requirements without a known perUserMfaState for ${userId}`);
  }
  return state;
}

function writeState(ctx: ActionContext, userId: string, state: string): Promise<string | null> {
  return ctx.write(GRAPH_STEPS.writeMfaState, {
    method: "PATCH",
    path: requirementsPath(userId),
    version: "beta",
    body: { perUserMfaState: state },
  });
}

export const enforceMfa: ActionHandler = {
  action: "enforce-mfa",
  subject: "user",
  controls: ["mfa.admins"],
  disablesAccounts: false,

  async apply(ctx) {
    const { client, trace } = ctx;
    const userId = subjectOf(ctx);
    const state = await readState(client, userId);
    if (state === undefined) return stale(`User ${userId} no longer exists; nothing to enforce.`);
    trace.before = { perUserMfaState: state };
    if (state === "enforced") return stale(`Per-user MFA is already enforced for ${userId}; nothing changed.`);

    trace.graphRequestId = await writeState(ctx, userId, "enforced");
    trace.after = { perUserMfaState: "enforced" };
    return done(`Per-user MFA is now enforced for ${userId} (it was ${state}).`);
  },

  async undo(ctx, original) {
    const { client, trace } = ctx;
    const userId = subjectOf(ctx);
    const previous = original.before?.perUserMfaState;
    if (typeof previous !== "string" || !RESTORABLE.includes(previous)) {
      return refused(`Audit row ${original.auditId} records no per-user MFA state that can be restored; nothing changed.`);
    }
    const state = await readState(client, userId);
    if (state === undefined) return stale(`User ${userId} no longer exists; nothing to restore.`);
    trace.before = { perUserMfaState: state };
    // Reading `previous` right after the action may be a read that lags behind it (eventual
    // consistency): the write is idempotent, so it is sent anyway rather than trusting the read.
    if (state !== "enforced" && state !== previous) {
      return refused(`Per-user MFA for ${userId} was changed since (now ${state}); not overwriting it with ${previous}.`);
    }

    trace.graphRequestId = await writeState(ctx, userId, previous);
    trace.after = { perUserMfaState: previous };
    trace.partial = `Per-user MFA for ${userId} was set back to ${previous}`;
    // A re-read that differs proves nothing by itself: directory writes are eventually consistent,
    // so right after the PATCH it may still show the old value. (Graph also keeps "enforced" when
    // asked for "enabled" on a user who has registered a method.) Record and report what it showed.
    const now = await readState(client, userId);
    if (now === undefined || now === previous) return done(`Per-user MFA for ${userId} is ${previous} again.`);
    trace.after = { perUserMfaState: previous, readBack: now };
    const registered = previous === "enabled" ? ", and Graph keeps a user who has registered an MFA method enforced" : "";
    return done(
      `Graph accepted setting per-user MFA for ${userId} back to ${previous}, but a re-read right after still showed ${now}: ` +
        `directory changes can take a moment to show${registered}. Check it again in a few minutes.`,
    );
  },
};
