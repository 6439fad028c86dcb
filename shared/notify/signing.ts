/**
 * Webhook signatures, in the scheme Stripe made common (https://docs.stripe.com/webhooks#verify-manually):
 * `X-TenantPatrol-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The
 * timestamp is signed with the body, so a receiver that rejects old timestamps (5 minutes, see
 * docs/runbook/11-outbound-events.md) also rejects a captured message replayed later.
 */
import { createHmac } from "node:crypto";

export const SIGNATURE_HEADER = "X-TenantPatrol-Signature";
/** The delivery's id, the same on every attempt: a receiver drops a retry it already processed. */
export const DELIVERY_HEADER = "X-TenantPatrol-Delivery";

export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");
  return `t=${t},v1=${v1}`;
}
