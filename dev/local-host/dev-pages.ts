/**
 * Dev-only pages of the local host (never deployed): the inbox of every email the simulator's
 * tenants sent through sendMail, and a tenant page with the simulator's live state of the
 * subjects of approval requests plus the latest audit rows. Read-only.
 *
 * Email bodies are our own digest HTML, but they carry names from Graph: a message is shown in a
 * sandboxed iframe (no scripts, no same-origin access) whose document has its own CSP, and links
 * in it open at the top level (`<base target="_top">`), where the approval page may be framed by nobody.
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Approval } from "../../shared/model/approval.js";
import { htmlResponse } from "../../shared/http/html-response.js";
import type { AuditEntry, AuditRepository } from "../../shared/storage/audit.js";
import type { ApprovalsRepository } from "../../shared/storage/approvals.js";
import type { TenantsRepository } from "../../shared/storage/tenants.js";
import { formatInstant } from "../../shared/views/instant.js";
import { accountOf } from "../../shared/views/evidence.js";
import { html, preformatted, type SafeHtml } from "../../shared/views/html.js";
import { renderPage } from "../../shared/views/layout.js";
import type { GraphSimulator, TenantHandle } from "../simulator/index.js";
import { safeDecode } from "./routes.js";

export interface DevPagesDeps {
  readonly simulator: GraphSimulator;
  /** Storage of the running app (created lazily: settings are in place once the host serves). */
  readonly storage: () => { readonly approvals: ApprovalsRepository; readonly audit: AuditRepository; readonly tenants: TenantsRepository };
}

interface SentMessage {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly id: string;
  readonly subject: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly sentAt: Date;
  readonly contentType: string;
  readonly content: string;
}

const DEV_CSS = `
main,.top-inner,footer{max-width:1080px}
.wide td,.wide th{overflow-wrap:normal;word-break:normal}
.wide .mono{overflow-wrap:anywhere}
.nowrap{white-space:nowrap}
.devnav{display:flex;gap:18px;margin:0 0 18px;font-size:.95rem}
.devnav a{text-decoration:none;font-weight:600}
.devnav .here{color:var(--ink)}
.inbox{list-style:none;margin:0;padding:0}
.inbox li{border-bottom:1px solid var(--line)}
.inbox li:last-child{border-bottom:0}
.inbox a{display:grid;grid-template-columns:1fr auto;gap:2px 16px;padding:12px 4px;text-decoration:none;color:var(--ink)}
.inbox a:hover{background:#f8f9fc}
.inbox .subject{font-weight:650;overflow-wrap:anywhere}
.inbox .meta{color:var(--muted);font-size:.88rem;grid-column:1/-1;overflow-wrap:anywhere}
.inbox time{color:var(--muted);font-size:.85rem;white-space:nowrap}
.mailframe{width:100%;height:75vh;min-height:480px;border:1px solid var(--line);border-radius:10px;background:#fff}
.state-off{color:var(--bad);font-weight:650}
.state-on{color:var(--ok);font-weight:650}
.empty{padding:18px;border:1px dashed var(--line);border-radius:10px;color:var(--muted)}
`;

/** The dev routes; undefined for anything else (the function routes then answer). */
export function createDevPages(deps: DevPagesDeps): (request: HttpRequest) => Promise<HttpResponseInit | undefined> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    if (path === "/" || path === "/dev") return { status: 302, headers: { Location: "/dev/inbox" } };
    if (path === "/dev/inbox") return inboxPage(deps);
    const message = /^\/dev\/inbox\/([^/]+)\/([^/]+)(\/body)?$/.exec(path);
    if (message) {
      const [tenantId, messageId] = [safeDecode(message[1] ?? ""), safeDecode(message[2] ?? "")];
      const found = tenantId !== undefined && messageId !== undefined ? findMessage(deps.simulator, tenantId, messageId) : undefined;
      if (!found) return notFound("No such message", "The simulator forgets sent mail when it restarts.");
      return message[3] ? messageBody(found) : messagePage(found);
    }
    if (path === "/dev/tenants") return tenantsPage(deps);
    const tenant = /^\/dev\/tenants\/([^/]+)$/.exec(path);
    const tenantId = tenant ? safeDecode(tenant[1] ?? "") : undefined;
    if (tenant) return tenantId === undefined ? notFound("No such tenant", "The address is not a tenant id.") : tenantPage(deps, tenantId);
    return undefined;
  };
}

function nav(here: "inbox" | "tenants"): SafeHtml {
  const link = (key: "inbox" | "tenants", href: string, label: string) =>
    key === here ? html`<span class="here">${label}</span>` : html`<a href="${href}">${label}</a>`;
  return html`<nav class="devnav">${link("inbox", "/dev/inbox", "Inbox")}${link("tenants", "/dev/tenants", "Tenants")}</nav>`;
}

function page(title: string, body: SafeHtml, extraCsp: readonly string[] = []): HttpResponseInit {
  return htmlResponse(200, renderPage({ title, section: "Local dev", body, extraCss: DEV_CSS }), { extraCsp });
}

function notFound(title: string, message: string): HttpResponseInit {
  const body = html`${nav("inbox")}<section class="card"><h1>${title}</h1><p class="muted">${message}</p></section>`;
  return htmlResponse(404, renderPage({ title, section: "Local dev", body, extraCss: DEV_CSS }));
}

function inboxPage(deps: DevPagesDeps): HttpResponseInit {
  const messages = allMessages(deps.simulator);
  const list =
    messages.length === 0
      ? html`<p class="empty">No email yet. Approval digests appear here once a sweep finds something to fix and approvals are configured.</p>`
      : html`<ul class="inbox">${messages.map(
          (m) =>
            html`<li><a href="/dev/inbox/${encodeURIComponent(m.tenantId)}/${encodeURIComponent(m.id)}"><span class="subject">${m.subject || "(no subject)"}</span><time datetime="${m.sentAt.toISOString()}">${formatInstant(m.sentAt)}</time><span class="meta">From ${m.from} (${m.tenantName}) to ${m.to.join(", ")}</span></a></li>`,
        )}</ul>`;
  return page(
    "Inbox",
    html`${nav("inbox")}<section class="card"><p class="eyebrow">Graph simulator · sendMail</p><h1>Inbox</h1>
<p class="lead">Every email the app sent through the simulated tenants, newest first. Open an approval digest, follow Approve or Reject, confirm, then look at the tenant page.</p>
${list}</section>`,
  );
}

function messagePage(m: SentMessage): HttpResponseInit {
  const bodyUrl = `/dev/inbox/${encodeURIComponent(m.tenantId)}/${encodeURIComponent(m.id)}/body`;
  return page(
    m.subject || "Message",
    html`${nav("inbox")}<section class="card"><p class="eyebrow"><a href="/dev/inbox">← Inbox</a></p><h1>${m.subject || "(no subject)"}</h1>
<dl class="facts"><dt>From</dt><dd>${m.from} (${m.tenantName})</dd><dt>To</dt><dd>${m.to.join(", ")}</dd><dt>Sent</dt><dd>${formatInstant(m.sentAt)}</dd></dl></section>
<iframe class="mailframe" title="Message body" src="${bodyUrl}" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" referrerpolicy="no-referrer"></iframe>`,
    ["frame-src 'self'"],
  );
}

/** The message as its own document: sandboxed, no script, styles inline as emails have them. */
function messageBody(m: SentMessage): HttpResponseInit {
  const base = '<base target="_top">';
  const document =
    m.contentType === "html"
      ? /<head[^>]*>/i.test(m.content)
        ? m.content.replace(/<head[^>]*>/i, (head) => `${head}${base}`)
        : `<!doctype html><meta charset="utf-8">${base}${m.content}`
      : html`<!doctype html><meta charset="utf-8"><pre style="white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace">${preformatted(m.content)}</pre>`.toString();
  return {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation",
      "X-Frame-Options": "SAMEORIGIN",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
    body: document,
  };
}

async function tenantsPage(deps: DevPagesDeps): Promise<HttpResponseInit> {
  const stored = await deps.storage().tenants.list();
  const rows = deps.simulator.tenantIds.map((id) => {
    const handle = deps.simulator.tenant(id);
    const record = stored.find((t) => t.tenantId === id);
    return html`<tr><td><a href="/dev/tenants/${encodeURIComponent(id)}">${handle.displayName}</a></td><td class="mono">${id}</td><td>${handle.license}</td><td>${record ? (record.enabled ? "enabled" : "disabled") : "not registered"}</td></tr>`;
  });
  return page(
    "Tenants",
    html`${nav("tenants")}<section class="card"><p class="eyebrow">Graph simulator</p><h1>Tenants</h1>
<table><thead><tr><th>Tenant</th><th>Id</th><th>Licence</th><th>Tenant Patrol</th></tr></thead><tbody>${rows}</tbody></table></section>`,
  );
}

async function tenantPage(deps: DevPagesDeps, tenantId: string): Promise<HttpResponseInit> {
  if (!deps.simulator.tenantIds.includes(tenantId)) return notFound("No such tenant", "The simulator hosts no tenant with this id.");
  const handle = deps.simulator.tenant(tenantId);
  const storage = deps.storage();
  const [approvals, audit] = await Promise.all([
    storage.approvals.listForTenant(tenantId),
    storage.audit.listForTenant(tenantId, { limit: 20 }),
  ]);
  // Decided requests first (newest decision first), then the pending ones by action.
  approvals.sort((a, b) => (b.decidedAt?.getTime() ?? 0) - (a.decidedAt?.getTime() ?? 0) || a.action.localeCompare(b.action));
  const approvalRows = approvals.map(
    (a) =>
      html`<tr><td>${subjectName(a)}</td><td class="nowrap">${a.action}</td><td class="nowrap">${a.state}${a.outcome ? html`<br><span class="pill ${a.outcome === "done" ? "success" : "warning"}">${a.outcome}</span>` : null}</td><td>${liveState(handle, a)}</td></tr>`,
  );
  return page(
    handle.displayName,
    html`${nav("tenants")}<section class="card"><p class="eyebrow">Graph simulator · ${handle.license}</p><h1>${handle.displayName}</h1><p class="muted mono">${tenantId}</p>
<h2>Approval requests and the simulator's state now</h2>
${approvals.length === 0 ? html`<p class="empty">No approval requests for this tenant.</p>` : html`<table class="wide"><thead><tr><th>Subject</th><th>Action</th><th>Request</th><th>Simulator now</th></tr></thead><tbody>${approvalRows}</tbody></table>`}
<h2>Latest audit rows</h2>
${audit.length === 0 ? html`<p class="empty">No remediation attempts yet.</p>` : auditTable(audit)}
</section>`,
  );
}

function auditTable(rows: readonly AuditEntry[]): SafeHtml {
  return html`<table class="wide"><thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>Message</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${formatInstant(r.at)}<br><span class="muted mono">${r.auditId}</span></td><td>${r.mode === "undo" ? "undo " : ""}${r.action ?? "—"}<br><span class="muted">${r.subjectId ?? "tenant"}</span></td><td>${r.outcome}</td><td>${r.message}<br><span class="muted">by ${r.requestedBy}</span></td></tr>`,
  )}</tbody></table>`;
}

function subjectName(a: Approval): SafeHtml {
  const { displayName: name, userPrincipalName: upn } = accountOf(a.evidence);
  if (a.subjectId === null) return html`<span class="muted">tenant</span>`;
  return html`${name ?? upn ?? a.subjectId}${name && upn ? html`<br><span class="muted mono">${upn}</span>` : null}`;
}

/** What the simulator holds now for the thing the request would change. */
function liveState(handle: TenantHandle, a: Approval): SafeHtml {
  const record = (path: string): Record<string, unknown> | undefined => handle.get(path) as Record<string, unknown> | undefined;
  switch (a.action) {
    case "block-account": {
      const enabled = a.subjectId === null ? undefined : record(`v1.0/users/${a.subjectId}`)?.accountEnabled;
      if (enabled === undefined) return html`<span class="muted">user not found</span>`;
      return enabled === false ? html`<span class="state-off">sign-in blocked</span>` : html`<span class="state-on">sign-in allowed</span>`;
    }
    case "enforce-mfa": {
      const state = a.subjectId === null ? undefined : record(`beta/users/${a.subjectId}/authentication/requirements`)?.perUserMfaState;
      return html`per-user MFA: <strong>${typeof state === "string" ? state : "unknown"}</strong>`;
    }
    case "disable-user-consent": {
      const permissions = record("v1.0/policies/authorizationPolicy")?.defaultUserRolePermissions as Record<string, unknown> | undefined;
      const policies = permissions?.permissionGrantPoliciesAssigned;
      return html`<span class="mono">${Array.isArray(policies) ? policies.join(", ") || "(none)" : "unknown"}</span>`;
    }
    case "set-password-never-expire": {
      const days = a.subjectId === null ? undefined : record(`v1.0/domains/${a.subjectId}`)?.passwordValidityPeriodInDays;
      return html`password validity: <strong>${typeof days === "number" ? days : "unknown"}</strong> days`;
    }
  }
}

function allMessages(simulator: GraphSimulator): SentMessage[] {
  const messages: SentMessage[] = [];
  for (const tenantId of simulator.tenantIds) {
    const handle = simulator.tenant(tenantId);
    const users = (handle.get("v1.0/users") as { id?: unknown }[] | undefined) ?? [];
    for (const user of users) {
      if (typeof user.id !== "string") continue;
      for (const message of handle.sentMail(user.id)) messages.push(toMessage(handle, message));
    }
  }
  return messages.sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
}

function findMessage(simulator: GraphSimulator, tenantId: string, id: string): SentMessage | undefined {
  if (!simulator.tenantIds.includes(tenantId)) return undefined;
  return allMessages(simulator).find((m) => m.tenantId === tenantId && m.id === id);
}

function toMessage(handle: TenantHandle, message: Record<string, unknown>): SentMessage {
  const address = (r: unknown): string => {
    const email = (r as { emailAddress?: { name?: unknown; address?: unknown } } | undefined)?.emailAddress;
    return typeof email?.address === "string" ? email.address : "?";
  };
  const body = message.body as { contentType?: unknown; content?: unknown } | undefined;
  return {
    tenantId: handle.id,
    tenantName: handle.displayName,
    id: String(message.id),
    subject: typeof message.subject === "string" ? message.subject : "",
    from: address(message.from),
    to: Array.isArray(message.toRecipients) ? message.toRecipients.map(address) : [],
    sentAt: new Date(typeof message.sentDateTime === "string" ? message.sentDateTime : 0),
    contentType: typeof body?.contentType === "string" ? body.contentType.toLowerCase() : "text",
    content: typeof body?.content === "string" ? body.content : "",
  };
}
