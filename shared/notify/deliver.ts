/**
 * Outbound events, off the scan's path. A tenant's scan, as its run ends, sends one `notify-events`
 * message; fanOutRunEvents turns it into one `notify-delivery` message per sink of the tenant, and
 * deliverToSink makes each delivery: claimed in the Deliveries table before anything is sent, its
 * outcome recorded after; a failure that may pass is retried by sending the message again with a
 * visibility delay (backoff, Retry-After honoured and capped); after the last attempt, or a failure
 * that will not pass, the row is `dead` and the message goes to `notify-delivery-poison`.
 * A slow or dead receiver costs a delivery's own invocations, never a scan's.
 */
import type { QueueClient } from "@azure/storage-queue";
import type { NotifySettings } from "../config/settings.js";
import type { TenantGraph } from "../graph/client.js";
import { isGraphError } from "../graph/errors.js";
import { sendMail } from "../graph/send-mail.js";
import { logText } from "../logging/log-text.js";
import type { EventMessage, SinkConfig } from "../model/events.js";
import { unregisteredTenant, type TenantRecord } from "../model/tenant.js";
import type { NotifyDeliveryMessage, NotifyEventsMessage } from "../queue/notify-message.js";
import { enqueueAll, enqueueLater } from "../queue/queue-client.js";
import type { DeliveriesRepository, DeliveryStatus } from "../storage/deliveries.js";
import type { FindingEventsRepository } from "../storage/findingEvents.js";
import type { FindingsRepository } from "../storage/findings.js";
import { isTerminal, type RunsRepository, type TenantRun } from "../storage/runs.js";
import type { TenantsRepository } from "../storage/tenants.js";
import { truncate } from "../views/html.js";
import { renderEventsEmail } from "./email.js";
import { messageForSink, runOutboundEvents } from "./message.js";
import { isOutboundRefused, OUTBOUND_DEFAULTS, postJson, type OutboundOptions } from "./outbound.js";
import { decideDelivery, type AttemptResult, type DeliveryRetryPolicy } from "./retry-strategy.js";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signing.js";
import { sinksForTenant } from "./sinks.js";
import { teamsPayload } from "./teams-card.js";

/** A claim outlives the longest send (the outbound timeout) by this much before another attempt may take it over. */
const CLAIM_MARGIN_IN_MS = 60_000;
const MAX_ERROR_CHARS = 1000;

export interface FanOutDeps {
  readonly runs: Pick<RunsRepository, "getTenantRun">;
  readonly tenants: Pick<TenantsRepository, "get">;
  readonly notifySettings: NotifySettings;
  readonly notifyDeliveryQueue: QueueClient;
}

/** The run has not ended yet (its notify message was sent just before the run's end was written): retry later. */
export class RunNotEndedError extends Error {
  override readonly name = "RunNotEndedError";
}

/** One delivery message per sink of the tenant; returns the sink ids. */
export async function fanOutRunEvents(deps: FanOutDeps, message: NotifyEventsMessage): Promise<string[]> {
  const { runId, tenantId } = message;
  const run = await deps.runs.getTenantRun(runId, tenantId);
  if (!run || !isTerminal(run.status)) throw new RunNotEndedError(`The run ${runId} of tenant ${tenantId} has not ended yet`);
  const sinks = sinksForTenant(deps.notifySettings.sinks, await tenantConfig(deps.tenants, tenantId));
  await enqueueAll(
    deps.notifyDeliveryQueue,
    sinks.map((sink) => ({ runId, tenantId, sinkId: sink.id }) satisfies NotifyDeliveryMessage),
  );
  return sinks.map((sink) => sink.id);
}

export interface DeliverDeps extends FanOutDeps {
  readonly events: Pick<FindingEventsRepository, "listForRun">;
  readonly findings: Pick<FindingsRepository, "listForTenant">;
  readonly deliveries: DeliveriesRepository;
  readonly notifyDeliveryPoisonQueue: QueueClient;
  /** Where the outbound requests may go and how long they may take (loopback only in tests and dev). */
  readonly outbound: OutboundOptions;
  readonly deliveryRetry: DeliveryRetryPolicy;
  /** A Graph client for a tenant: the email sink sends through NotifySettings.mailTenantId, else the tenant itself. */
  graphFor(tenantId: string): TenantGraph;
}

export type DeliveryResult =
  | { readonly status: Exclude<DeliveryStatus, "sending">; readonly attempt: number; readonly detail: string }
  /** Already final, or held by another attempt (sent again for later). */
  | { readonly status: "not-claimed"; readonly detail: string };

export async function deliverToSink(deps: DeliverDeps, message: NotifyDeliveryMessage, now = new Date()): Promise<DeliveryResult> {
  const { runId, tenantId, sinkId } = message;
  const tenant = await tenantConfig(deps.tenants, tenantId);
  const sink = sinksForTenant(deps.notifySettings.sinks, tenant).find((s) => s.id === sinkId);
  const claimTtlInMs = (deps.outbound.timeoutInMs ?? OUTBOUND_DEFAULTS.timeoutInMs) + CLAIM_MARGIN_IN_MS;
  const claim = await deps.deliveries.claim(tenantId, runId, sinkId, { sinkKind: sink?.kind ?? "webhook", at: now, claimTtlInMs });
  if (!claim.claimed) {
    if (claim.reason === "final") return { status: "not-claimed", detail: `already ${claim.delivery.status}` };
    await enqueueLater(deps.notifyDeliveryQueue, message, (claim.retryAt.getTime() - now.getTime()) / 1000);
    return { status: "not-claimed", detail: "another attempt holds it; sent again for later" };
  }
  const attempt = claim.delivery.attempts;
  const finish = (
    status: Exclude<DeliveryStatus, "sending">,
    detail: string,
    extra: { statusCode?: number; eventCount?: number; nextAttemptAt?: Date } = {},
  ) =>
    deps.deliveries
      .finish(tenantId, runId, sinkId, { status, at: new Date(), lastError: truncate(logText(detail), MAX_ERROR_CHARS), ...extra })
      .then(() => ({ status, attempt, detail }));
  if (!sink) return finish("skipped", `the sink ${sinkId} is no longer configured for this tenant`);
  const outbound = await buildMessage(deps, tenant, runId, sink);
  if (!outbound) return finish("skipped", "nothing in this run for this sink");

  const result = await send(deps, sink, outbound, tenantId);
  const statusCode = result.kind === "answered" ? { statusCode: result.status } : {};
  const eventCount = outbound.events.length + outbound.omitted;
  const decision = decideDelivery(result, attempt, deps.deliveryRetry, Date.now());
  switch (decision.kind) {
    case "delivered":
      return finish("delivered", "", { ...statusCode, eventCount });
    case "retry": {
      const nextAttemptAt = new Date(Date.now() + decision.delayInMs);
      const done = await finish("retrying", decision.reason, { ...statusCode, eventCount, nextAttemptAt });
      await enqueueLater(deps.notifyDeliveryQueue, message, decision.delayInMs / 1000);
      return done;
    }
    case "give-up": {
      const done = await finish("dead", decision.reason, { ...statusCode, eventCount });
      await enqueueAll(deps.notifyDeliveryPoisonQueue, [message]);
      return done;
    }
  }
}

/** A tenant listed only in TENANT_IDS has no registration: the fleet's sinks only. */
async function tenantConfig(tenants: Pick<TenantsRepository, "get">, tenantId: string): Promise<TenantRecord> {
  return (await tenants.get(tenantId)) ?? unregisteredTenant(tenantId);
}

async function buildMessage(
  deps: DeliverDeps,
  tenant: Pick<TenantRecord, "tenantId" | "displayName">,
  runId: string,
  sink: SinkConfig,
): Promise<EventMessage | undefined> {
  const run: TenantRun | undefined = await deps.runs.getTenantRun(runId, tenant.tenantId);
  if (!run) throw new RunNotEndedError(`No run ${runId} for tenant ${tenant.tenantId}`);
  const [events, findings] = await Promise.all([
    deps.events.listForRun(tenant.tenantId, runId),
    deps.findings.listForTenant(tenant.tenantId),
  ]);
  const input = { tenant, run, events, findings };
  return messageForSink(input, runOutboundEvents(input), sink);
}

/** One attempt; never throws for the receiver's sake (only storage failures propagate). */
async function send(deps: DeliverDeps, sink: SinkConfig, message: EventMessage, tenantId: string): Promise<AttemptResult> {
  try {
    switch (sink.kind) {
      case "webhook": {
        const body = JSON.stringify(message);
        const headers = { [SIGNATURE_HEADER]: signatureHeader(sink.secret, body, new Date()), [DELIVERY_HEADER]: message.deliveryId };
        return answered(await postJson(sink.url, body, headers, deps.outbound));
      }
      case "teams":
        return answered(
          await postJson(sink.url, JSON.stringify(teamsPayload(message)), { [DELIVERY_HEADER]: message.deliveryId }, deps.outbound),
        );
      case "email":
        return await sendEmail(deps, sink.to, message, tenantId);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (isOutboundRefused(error) || error instanceof RangeError) return { kind: "refused", reason };
    if (isGraphError(error) && error.statusCode > 0) return { kind: "answered", status: error.statusCode, retryAfter: null };
    return { kind: "no-answer", reason };
  }
}

function answered(response: { readonly status: number; readonly retryAfter: string | null }): AttemptResult {
  return { kind: "answered", status: response.status, retryAfter: response.retryAfter };
}

async function sendEmail(deps: DeliverDeps, to: readonly string[], message: EventMessage, tenantId: string): Promise<AttemptResult> {
  const { mailSender, mailTenantId } = deps.notifySettings;
  if (!mailSender) return { kind: "refused", reason: "MAIL_SENDER is not set: email sinks cannot send" };
  const email = renderEventsEmail(message);
  await sendMail(deps.graphFor(mailTenantId ?? tenantId), { sender: mailSender, to, subject: email.subject, html: email.html });
  return { kind: "answered", status: 202, retryAfter: null };
}
