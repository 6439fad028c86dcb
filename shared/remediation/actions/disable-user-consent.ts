/**
 * disable-user-consent: drop the built-in self-consent policies from the default user role's
 * permissionGrantPoliciesAssigned, keeping ManagePermissionGrantsForOwnedResource.* and custom
 * entries (docs/controls.md apps.user-consent). Undo restores the previous list.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { readAuthorizationPolicy } from "../../collect/policies.js";
import { step } from "../graph-calls.js";
import { GRAPH_STEPS } from "../permissions.js";
import { done, refused, stale, type ActionContext, type ActionHandler } from "./action.js";
import type { JudgedEvidence } from "../../model/evidence.js";

/** The self-consent policies apps.user-consent flagged (named through its evidence type). */
const OFFENDING = "offending" satisfies keyof JudgedEvidence<"apps.user-consent">;

const POLICY_PATH = "/policies/authorizationPolicy";

async function readAssigned(client: Client): Promise<string[]> {
  const policy = await step(GRAPH_STEPS.readAuthorizationPolicy, () => readAuthorizationPolicy(client));
  return policy.permissionGrantPoliciesAssigned;
}

function writeAssigned(ctx: ActionContext, assigned: readonly string[]): Promise<string | null> {
  return ctx.write(GRAPH_STEPS.writeAuthorizationPolicy, {
    method: "PATCH",
    path: POLICY_PATH,
    body: { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: assigned } },
  });
}

/** Same entries, ignoring order and case (Graph's casing of `managePermissionGrantsForSelf` varies). */
export function sameEntries(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((entry) => entry.toLowerCase()))].sort().join("\n");
  return norm(a) === norm(b);
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list: unknown[] = value;
  return list.every((entry): entry is string => typeof entry === "string") ? list : undefined;
}

export const disableUserConsent: ActionHandler = {
  action: "disable-user-consent",
  subject: "tenant",
  controls: ["apps.user-consent"],
  disablesAccounts: false,

  async apply(ctx) {
    const { client, trace } = ctx;
    const assigned = await readAssigned(client);
    trace.before = { permissionGrantPoliciesAssigned: assigned };
    const offending = stringList(ctx.finding.detail[OFFENDING]) ?? [];
    if (offending.length === 0) {
      return stale("Users already cannot consent to apps through a built-in self-consent policy; nothing changed.");
    }
    const kept = assigned.filter((entry) => !offending.includes(entry));
    trace.graphRequestId = await writeAssigned(ctx, kept);
    trace.after = { permissionGrantPoliciesAssigned: kept };
    const keptNote = kept.length === 0 ? "" : ` Kept: ${kept.join(", ")}.`;
    return done(`User consent to apps is off: removed ${offending.join(", ")}.${keptNote}`);
  },

  async undo(ctx, original) {
    const { client, trace } = ctx;
    const previous = stringList(original.before?.permissionGrantPoliciesAssigned);
    const set = stringList(original.after?.permissionGrantPoliciesAssigned);
    if (previous === undefined || set === undefined) {
      return refused(`Audit row ${original.auditId} does not record the consent policy lists; nothing changed.`);
    }
    const assigned = await readAssigned(client);
    trace.before = { permissionGrantPoliciesAssigned: assigned };
    if (sameEntries(assigned, previous)) return stale("The previous consent settings are already in place; nothing changed.");
    if (!sameEntries(assigned, set)) {
      return refused("The consent settings were changed since the action; not overwriting them. Restore them by hand if needed.");
    }
    trace.graphRequestId = await writeAssigned(ctx, previous);
    trace.after = { permissionGrantPoliciesAssigned: previous };
    return done(`User consent settings restored: ${previous.join(", ")}.`);
  },
};
