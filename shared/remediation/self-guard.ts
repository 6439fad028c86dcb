/**
 * "Never tenant-patrol itself": the app's own service principal in the tenant (resolved from the
 * app id, cached per tenant) and the mailbox that sends the approval digests. Blocking either would
 * cut the product off from the tenant or from its approvers, and nothing could undo it by email.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { listAll } from "../graph/paging.js";
import { step, stepOrMissing } from "./graph-calls.js";
import { GRAPH_STEPS } from "./permissions.js";

/** Who tenant-patrol is, from its settings. */
export interface ServiceIdentity {
  /** The app registration's client id (GRAPH_CLIENT_ID). */
  readonly appId: string;
  /** MAIL_SENDER (UPN, mail address or object id), when approvals are configured. */
  readonly mailSender: string | null;
}

/** tenantId|appId → the service principal's object id. An app's principal keeps its id for life. */
const principalIds = new Map<string, string>();

/** The app's service principal object id in the tenant the client signs in to; undefined when Graph lists none. */
export async function ownPrincipalId(client: Client, tenantId: string, appId: string): Promise<string | undefined> {
  const key = `${tenantId.toLowerCase()}|${appId.toLowerCase()}`;
  const cached = principalIds.get(key);
  if (cached !== undefined) return cached;
  // servicePrincipal-list documents $filter on appId; the app is signed in, so its principal exists.
  const found = await step(GRAPH_STEPS.readOwnPrincipal, () =>
    listAll<{ id?: unknown }>(client, { path: "/servicePrincipals", filter: `appId eq '${appId.replaceAll("'", "''")}'`, select: ["id"] }),
  );
  const id = found[0]?.id;
  if (typeof id !== "string") return undefined;
  principalIds.set(key, id);
  return id;
}

/** Why `userId` is tenant-patrol itself, or null. */
export async function selfGuard(client: Client, tenantId: string, identity: ServiceIdentity, userId: string): Promise<string | null> {
  const id = userId.toLowerCase();
  const own = await ownPrincipalId(client, tenantId, identity.appId);
  // Signed in, yet no principal for the app: something is off (wrong app id setting); never guess.
  if (own === undefined)
    return `cannot be checked against tenant-patrol's own service principal: Graph lists none for app ${identity.appId} in this tenant`;
  if (own.toLowerCase() === id) return "is tenant-patrol's own service principal, which it never acts on";
  if (identity.mailSender === null) return null;
  const sender = identity.mailSender.toLowerCase();
  if (sender === id) return "is the mailbox tenant-patrol sends approval emails from (MAIL_SENDER)";
  const user = await stepOrMissing(GRAPH_STEPS.readAccount, async () => {
    return (await client
      .api(`/users/${encodeURIComponent(userId)}`)
      .select(["id", "userPrincipalName", "mail"])
      .get()) as {
      userPrincipalName?: unknown;
      mail?: unknown;
    };
  });
  const names = [user?.userPrincipalName, user?.mail].filter((name): name is string => typeof name === "string");
  return names.some((name) => name.toLowerCase() === sender)
    ? "is the mailbox tenant-patrol sends approval emails from (MAIL_SENDER)"
    : null;
}
