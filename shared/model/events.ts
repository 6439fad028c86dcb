/**
 * Outbound events: what a tenant's run tells the sinks an operator configured (a signed webhook, a
 * Teams channel through a Workflows webhook, an email to the MSP). The kinds are a closed list:
 * a new kind is one entry here, with the label every sink shows for it.
 */
import type { Severity } from "./findings.js";

export const EVENT_KIND_LABELS = {
  "finding-new": "New finding",
  "finding-reopened": "Reopened finding",
  "finding-resolved": "Resolved finding",
  "finding-acceptance-expired": "Accepted risk expired",
  "run-failed": "Scan failed",
  "run-partial": "Scan incomplete",
} as const;

export type EventKind = keyof typeof EVENT_KIND_LABELS;
export const EVENT_KINDS = Object.keys(EVENT_KIND_LABELS) as [EventKind, ...EventKind[]];

/** A sink's id: letters, digits, `-` and `_`, so it is safe in a table key, a queue message and a log line. */
export const SINK_ID = /^[A-Za-z0-9_-]{1,40}$/;

export const SINK_KINDS = ["webhook", "teams", "email"] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** Which events a sink wants; every field optional, absent = everything. */
export interface SinkFilter {
  /** Finding events below this severity are left out (run events have none and always pass). */
  readonly minSeverity?: Severity;
  readonly eventKinds?: readonly EventKind[];
  /** Tenant ids; absent: every tenant. */
  readonly tenants?: readonly string[];
}

interface SinkBase extends SinkFilter {
  /** Stable name of the sink, unique per tenant (part of the Deliveries row key). */
  readonly id: string;
}

/** A generic JSON webhook, signed with HMAC-SHA256 (docs/runbook/11-outbound-events.md). */
export interface WebhookSink extends SinkBase {
  readonly kind: "webhook";
  readonly url: string;
  /** The HMAC key; never logged or stored in the delivery log. */
  readonly secret: string;
}

/** A Teams channel or chat through a Workflows "When a Teams webhook request is received" flow. */
export interface TeamsSink extends SinkBase {
  readonly kind: "teams";
  readonly url: string;
}

/** An email through Graph sendMail from MAIL_SENDER. */
export interface EmailSink extends SinkBase {
  readonly kind: "email";
  readonly to: readonly string[];
}

export type SinkConfig = WebhookSink | TeamsSink | EmailSink;

/** The subject of a finding event as the sinks show it (display names are attacker-controlled data). */
export interface EventSubject {
  readonly id: string | null;
  readonly displayName: string | null;
  readonly userPrincipalName: string | null;
}

export interface FindingOutboundEvent {
  readonly kind: Extract<EventKind, `finding-${string}`>;
  /** Stable across runs for one (tenant, control, subject): a PSA updates its ticket with it. */
  readonly externalId: string;
  readonly control: string;
  readonly controlTitle: string;
  readonly severity: Severity;
  readonly subject: EventSubject;
  readonly statusBefore: string | null;
  readonly statusAfter: string;
  readonly at: string;
}

export interface RunOutboundEvent {
  readonly kind: Extract<EventKind, `run-${string}`>;
  /** The run's externalId. */
  readonly externalId: string;
  readonly reason: string | null;
  readonly at: string;
}

export type OutboundEvent = FindingOutboundEvent | RunOutboundEvent;

/** One message: one tenant, one run, one sink. The webhook body is exactly this JSON. */
export interface EventMessage {
  readonly schema: "tenant-patrol.events/v1";
  /** Same for every attempt of this (tenant, run, sink): receivers drop a retry they already took. */
  readonly deliveryId: string;
  readonly tenant: { readonly id: string; readonly displayName: string };
  readonly run: {
    readonly id: string;
    readonly externalId: string;
    readonly status: string;
    readonly reason: string | null;
    readonly finishedAt: string | null;
  };
  readonly events: readonly OutboundEvent[];
  /** Events left out to keep the message small (the most severe are kept). */
  readonly omitted: number;
}
