/**
 * Outlook: POST users/{id}/sendMail (202, empty body) stores the message in the sender's Sent Items
 * unless saveToSentItems is false; GET users/{id}/mailFolders/sentitems/messages reads them back.
 */
import { GraphFailure, graphErrors } from "../errors.js";
import { validateGraphValue } from "../metadata/graph-schema.js";
import type { PageLimits } from "../odata/paging.js";
import { emptyResponse } from "../server/messages.js";
import { idOf, isPlainObject, type GraphObject } from "../state/graph-object.js";
import type { OutgoingMessage } from "../state/mailbox.js";
import { serveCollection } from "./collection.js";
import { jsonObjectBody } from "./patch-body.js";
import { param, type Route, type RouteContext } from "./route.js";

/** Outlook pages messages by 10 unless $top says otherwise (max 1000). */
const MESSAGE_PAGE_LIMITS: PageLimits = { defaultSize: 10, maxSize: 1000 };
const SEND_MAIL_PARAMETERS = ["message", "saveToSentItems"];

function mailboxOwner(ctx: RouteContext): GraphObject {
  const id = param(ctx, "id");
  const user = ctx.tenant.findUser(id);
  if (!user) throw graphErrors.invalidUser(id);
  return user;
}

function readSendMailBody(body: unknown): { message: OutgoingMessage; saveToSentItems: boolean } {
  const payload = jsonObjectBody(body);
  for (const name of Object.keys(payload)) {
    if (!SEND_MAIL_PARAMETERS.includes(name)) {
      throw new GraphFailure(
        400,
        "RequestBodyRead",
        `The parameter '${name}' in the request payload is not a valid parameter for the operation 'sendMail'.`,
      );
    }
  }
  const { message, saveToSentItems = true } = payload;
  if (!isPlainObject(message)) throw new GraphFailure(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
  if (typeof saveToSentItems !== "boolean") {
    throw new GraphFailure(
      400,
      "RequestBodyRead",
      "Cannot convert the literal for parameter 'saveToSentItems' to the expected type 'Edm.Boolean'.",
    );
  }
  const issue = validateGraphValue(message, "message", { allowNavigation: false, caseInsensitiveEnums: true })[0];
  if (issue) {
    const property = issue.path.filter((p): p is string => typeof p === "string").at(-1) ?? "message";
    if (issue.kind === "unknown") throw graphErrors.outlookBodyRead(property);
    throw new GraphFailure(400, "RequestBodyRead", `Cannot convert the value of property '${property}': ${issue.message}.`);
  }
  const recipients = ["toRecipients", "ccRecipients", "bccRecipients"].flatMap((k) => (message[k] as GraphObject[] | undefined) ?? []);
  const valid = (r: GraphObject): boolean => {
    const address = (r.emailAddress as GraphObject | undefined)?.address;
    return typeof address === "string" && /^[^@\s]+@[^@\s]+$/.test(address);
  };
  if (recipients.length === 0 || !recipients.every(valid)) throw graphErrors.invalidRecipients();
  return { message, saveToSentItems };
}

export const mailRoutes: readonly Route[] = [
  {
    method: "POST",
    pattern: "users/{id}/sendMail",
    family: "outlook",
    mailbox: (ctx) => param(ctx, "id"),
    handle: (ctx) => {
      const sender = mailboxOwner(ctx);
      const { message, saveToSentItems } = readSendMailBody(ctx.request.body);
      if (saveToSentItems) {
        const address = typeof sender.mail === "string" ? sender.mail : String(sender.userPrincipalName);
        const displayName = typeof sender.displayName === "string" ? sender.displayName : null;
        ctx.tenant.mailboxes.recordSent({ id: idOf(sender), displayName, address }, message, new Date(ctx.now));
      }
      return emptyResponse(202);
    },
  },
  {
    method: "GET",
    pattern: "users/{id}/mailFolders/{folder}/messages",
    family: "outlook",
    mailbox: (ctx) => param(ctx, "id"),
    handle: (ctx) => {
      const owner = mailboxOwner(ctx);
      if (param(ctx, "folder").toLowerCase() !== "sentitems") {
        throw new GraphFailure(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      }
      return serveCollection(ctx, {
        items: ctx.tenant.mailboxes.sent(idOf(owner)),
        typeName: "message",
        contextFragment: `users('${idOf(owner)}')/mailFolders('sentitems')/messages`,
        limits: MESSAGE_PAGE_LIMITS,
      });
    },
  },
];
