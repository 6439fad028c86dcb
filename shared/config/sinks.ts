/**
 * The format of outbound-event sinks, shared by the fleet default (app setting NOTIFY_SINKS) and a
 * tenant's own sinks (its registration, shared/tenants/schema.ts), so both reject the same mistakes.
 * Where a sink's URL may point (no private or loopback address) is checked again when it is used
 * (shared/notify/outbound.ts), after DNS: a name can resolve anywhere.
 */
import { z } from "zod";
import { EVENT_KINDS, SINK_ID, type SinkConfig } from "../model/events.js";
import { SEVERITIES } from "../model/findings.js";
import { GUID } from "../model/ids.js";

/** An HMAC-SHA256 key should be as long as the hash: 32 bytes, written as at least 32 characters. */
export const MIN_WEBHOOK_SECRET_CHARS = 32;

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" }).refine((value) => {
  const url = new URL(value);
  return url.username === "" && url.password === "" && url.hash === "";
}, "must not contain credentials or a fragment");

const filter = {
  id: z.string().regex(SINK_ID, "must be 1-40 letters, digits, - or _"),
  minSeverity: z.enum(SEVERITIES).optional(),
  eventKinds: z.array(z.enum(EVENT_KINDS)).min(1, "must name at least one kind (omit it for every kind)").optional(),
  tenants: z.array(z.string().regex(GUID, "must be a tenant id (GUID)")).optional(),
};

export const sinkSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("webhook"),
    ...filter,
    url: httpsUrl,
    secret: z.string().min(MIN_WEBHOOK_SECRET_CHARS, `must be at least ${MIN_WEBHOOK_SECRET_CHARS} characters`),
  }),
  z.strictObject({ kind: z.literal("teams"), ...filter, url: httpsUrl }),
  z.strictObject({
    kind: z.literal("email"),
    ...filter,
    to: z.array(z.email("must be an email address")).min(1, "must list at least one address"),
  }),
]);

/** A list of sinks whose ids are unique. */
export const sinkListSchema = z.array(sinkSchema).superRefine((sinks, ctx) => {
  const seen = new Set<string>();
  sinks.forEach((sink, i) => {
    if (seen.has(sink.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${sink.id}" is used by another sink` });
    seen.add(sink.id);
  });
}) satisfies z.ZodType<SinkConfig[]>;
