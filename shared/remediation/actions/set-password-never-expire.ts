/**
 * set-password-never-expire: PATCH domains/{id} passwordValidityPeriodInDays 2147483647
 * (docs/controls.md password.never-expire). Undo restores the previous validity period.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Domain } from "../../model/snapshot.js";
import { stepOrMissing } from "../graph-calls.js";
import { GRAPH_STEPS } from "../permissions.js";
import { done, refused, segment, stale, subjectOf, type ActionContext, type ActionHandler } from "./action.js";

/** Graph's "passwords never expire" (int32 max, graph-facts §4). */
export const PASSWORDS_NEVER_EXPIRE = 2_147_483_647;

export async function readDomain(client: Client, domainId: string): Promise<Domain | undefined> {
  const raw = await stepOrMissing(GRAPH_STEPS.readDomain, async () => {
    const select = ["id", "isVerified", "isRoot", "authenticationType", "passwordValidityPeriodInDays"];
    return (await client
      .api(`/domains/${segment(domainId)}`)
      .select(select)
      .get()) as Record<string, unknown>;
  });
  if (raw === undefined) return undefined;
  if (typeof raw.id !== "string") throw new TypeError("Graph returned a domain without an id");
  return {
    id: raw.id,
    isVerified: raw.isVerified === true,
    isRoot: raw.isRoot === true,
    authenticationType: typeof raw.authenticationType === "string" ? raw.authenticationType : "",
    passwordValidityPeriodInDays: typeof raw.passwordValidityPeriodInDays === "number" ? raw.passwordValidityPeriodInDays : null,
  };
}

function writeValidity(ctx: ActionContext, domainId: string, days: number): Promise<string | null> {
  return ctx.write(GRAPH_STEPS.writeDomain, {
    method: "PATCH",
    path: `/domains/${segment(domainId)}`,
    body: { passwordValidityPeriodInDays: days },
  });
}

export const setPasswordNeverExpire: ActionHandler = {
  action: "set-password-never-expire",
  subject: "domain",
  controls: ["password.never-expire"],
  disablesAccounts: false,

  async apply(ctx) {
    const { client, trace } = ctx;
    const domainId = subjectOf(ctx);
    const domain = await readDomain(client, domainId);
    if (domain === undefined) return stale(`Domain ${domainId} no longer exists; nothing changed.`);
    trace.before = { passwordValidityPeriodInDays: domain.passwordValidityPeriodInDays };

    trace.graphRequestId = await writeValidity(ctx, domain.id, PASSWORDS_NEVER_EXPIRE);
    trace.after = { passwordValidityPeriodInDays: PASSWORDS_NEVER_EXPIRE };
    return done(`Passwords on ${domain.id} no longer expire (they expired after ${String(domain.passwordValidityPeriodInDays)} days).`);
  },

  async undo(ctx, original) {
    const { client, trace } = ctx;
    const domainId = subjectOf(ctx);
    const previous = original.before?.passwordValidityPeriodInDays;
    if (typeof previous !== "number" || !Number.isInteger(previous) || previous < 1 || previous >= PASSWORDS_NEVER_EXPIRE) {
      return refused(`Audit row ${original.auditId} records no password validity period that can be restored; nothing changed.`);
    }
    const domain = await readDomain(client, domainId);
    if (domain === undefined) return stale(`Domain ${domainId} no longer exists; nothing to restore.`);
    const current = domain.passwordValidityPeriodInDays;
    trace.before = { passwordValidityPeriodInDays: current };
    if (current === previous) return stale(`Passwords on ${domain.id} already expire after ${previous} days; nothing changed.`);
    if (current !== PASSWORDS_NEVER_EXPIRE) {
      return refused(`The password validity period of ${domain.id} was changed since (now ${String(current)}); not overwriting it.`);
    }
    trace.graphRequestId = await writeValidity(ctx, domain.id, previous);
    trace.after = { passwordValidityPeriodInDays: previous };
    return done(`Passwords on ${domain.id} expire after ${previous} days again.`);
  },
};
