/**
 * The email sink: the run's events as one short HTML email to the MSP. Every text from outside
 * (tenant and display names, UPNs, reasons) goes through `html`, which escapes it after displayText.
 */
import { EVENT_KIND_LABELS, type EventMessage, type OutboundEvent } from "../model/events.js";
import { html, truncate } from "../views/html.js";

export interface EventsEmail {
  readonly subject: string;
  readonly html: string;
}

export function renderEventsEmail(message: EventMessage): EventsEmail {
  const total = message.events.length + message.omitted;
  const subject = `Tenant Patrol: ${total} ${total === 1 ? "event" : "events"} in ${truncate(message.tenant.displayName, 80)}`;
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1b1f24;">
<h1 style="font-size:20px;">${message.tenant.displayName}</h1>
<p>Run ${message.run.id}: ${message.run.status}${message.run.reason === null ? "" : html` (${message.run.reason})`}</p>
<table role="presentation" cellpadding="4" style="border-collapse:collapse;font-size:14px;">
${message.events.map(eventRow)}
</table>
${message.omitted > 0 ? html`<p>${message.omitted} more event(s) are not listed.</p>` : null}
<p style="font-size:12px;color:#5b6472;">Tenant ${message.tenant.id} · delivery ${message.deliveryId}</p>
</body></html>
`;
  return { subject, html: body.toString() };
}

function eventRow(event: OutboundEvent) {
  if (!("control" in event))
    return html`<tr><td><strong>${EVENT_KIND_LABELS[event.kind]}</strong></td><td colspan="2">${event.reason}</td></tr>\n`;
  const { displayName, userPrincipalName, id } = event.subject;
  return html`<tr><td><strong>${EVENT_KIND_LABELS[event.kind]}</strong> (${event.severity})</td><td>${event.controlTitle}</td><td>${displayName ?? userPrincipalName ?? id}${displayName !== null && userPrincipalName !== null ? html` &lt;${userPrincipalName}&gt;` : null}</td></tr>\n`;
}
