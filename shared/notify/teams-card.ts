/**
 * The Teams sink: a Workflows "When a Teams webhook request is received" flow takes a message
 * activity whose attachment is an Adaptive Card (Microsoft Teams docs, "Create and send messages":
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using;
 * Office 365 connectors and their MessageCard are retired, Workflows take Adaptive Cards only):
 *   { "type": "message", "attachments": [ { "contentType": "application/vnd.microsoft.card.adaptive", "content": <card> } ] }
 *
 * A TextBlock renders a subset of markdown (https://aka.ms/ACTextFeatures), so TextBlocks and facts
 * hold only our own words and numbers; every text from outside (tenant and display names, UPNs,
 * failure reasons) goes in a TextRun of a RichTextBlock, which shows its text as it is.
 * Teams refuses cards above 28 KB: the card lists the first MAX_CARD_EVENTS events and counts the rest.
 */
import { EVENT_KIND_LABELS, type EventKind, type EventMessage, type OutboundEvent } from "../model/events.js";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
export const MAX_CARD_EVENTS = 15;

type CardElement = Readonly<Record<string, unknown>>;

export function teamsPayload(message: EventMessage): Readonly<Record<string, unknown>> {
  return { type: "message", attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: adaptiveCard(message) }] };
}

export function adaptiveCard(message: EventMessage): CardElement {
  const listed = message.events.slice(0, MAX_CARD_EVENTS);
  const more = message.events.length - listed.length + message.omitted;
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.5",
    fallbackText: `Tenant Patrol: ${message.events.length + message.omitted} event(s) in run ${message.run.id}`,
    body: [
      { type: "TextBlock", text: "Tenant Patrol", weight: "Bolder", size: "Medium", wrap: true },
      plainText([message.tenant.displayName], { weight: "Bolder" }),
      { type: "FactSet", facts: facts(message) },
      ...(message.run.reason === null ? [] : [plainText([message.run.reason])]),
      ...listed.map(eventLine),
      ...(more > 0 ? [{ type: "TextBlock", text: `${more} more event(s) in this run`, isSubtle: true, wrap: true }] : []),
    ],
  };
}

/** Our own words and numbers only: the run id, its status and the count of each kind. */
function facts(message: EventMessage): CardElement[] {
  const counts = new Map<EventKind, number>();
  for (const event of message.events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  return [
    { title: "Run", value: message.run.id },
    { title: "Status", value: message.run.status },
    ...[...counts].map(([kind, count]) => ({ title: EVENT_KIND_LABELS[kind], value: String(count) })),
  ];
}

function eventLine(event: OutboundEvent): CardElement {
  if (!("control" in event)) return plainText([EVENT_KIND_LABELS[event.kind]], { weight: "Bolder" });
  const who = event.subject.displayName ?? event.subject.userPrincipalName ?? event.subject.id;
  return {
    type: "RichTextBlock",
    inlines: [
      { type: "TextRun", text: `${EVENT_KIND_LABELS[event.kind]} (${event.severity}): `, weight: "Bolder" },
      { type: "TextRun", text: event.controlTitle },
      ...(who === null ? [] : [{ type: "TextRun", text: ` — ${who}` }]),
    ],
  };
}

/** Text shown exactly as given: a RichTextBlock's TextRuns are not markdown. */
function plainText(texts: readonly string[], style: Readonly<Record<string, string>> = {}): CardElement {
  return { type: "RichTextBlock", inlines: texts.map((text) => ({ type: "TextRun", text, ...style })) };
}
