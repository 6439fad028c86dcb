/**
 * The approval page's handlers on test infrastructure: the shared Azurite (own table prefix), an
 * in-process simulator, app settings in process.env (the functions read them like in Azure), and
 * helpers to create approval requests, sign their links and call GET / POST like a browser would.
 */
import { randomBytes, randomUUID } from "node:crypto";
import functionsRuntime, { type HttpResponseInit } from "@azure/functions";
import { approvalPageGet, approvalPagePost } from "../../functions/approval-page.js";
import { ApprovalTokenSigner } from "../../shared/approvals/tokens.js";
import { parseSigningKeys, type SigningKeys } from "../../shared/config/signing-keys.js";
import type { Approval } from "../../shared/model/approval.js";
import type { RemediationAction } from "../../shared/model/remediation.js";
import type { ApprovalsRepository } from "../../shared/storage/approvals.js";
import type { AuditEntry, AuditRepository } from "../../shared/storage/audit.js";
import { runIdAt } from "../../shared/storage/keys.js";
import { functionApp, type App } from "../../shared/app/wiring.js";
import { startGraphSimulator, type GraphSimulator, type TenantFixture } from "../../dev/simulator/index.js";
import { uniquePrefix } from "../storage/store.js";
import { simulatorSettings } from "../setup/simulator-settings.js";
import { registerFixtureTenants } from "../../dev/local-host/session.js";
import { pendingApproval } from "../approvals/builders.js";

const { HttpRequest, HttpResponse, InvocationContext } = functionsRuntime;

export const PUBLIC_BASE_URL = "http://localhost:7071";
export const HOSTILE_NAME = `<img src=x onerror=alert(1)> "Bobby" & Tables`;
const HOUR = 3_600_000;

export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly cookies: readonly { name: string; value: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; path?: string }[];
  readonly body: string;
}

/** Per request: a browser's cookie jar, extra headers, and the base URL the request was sent to. */
export interface CallOptions {
  readonly browser?: Browser;
  readonly headers?: Record<string, string>;
  /** Scheme and host of the request URL, i.e. what its Host header said (default PUBLIC_BASE_URL). */
  readonly baseUrl?: string;
}

/** One line a handler logged through its InvocationContext. */
export interface LoggedLine {
  readonly level: string;
  readonly text: string;
}

export interface Browser {
  /** Cookie jar of one browser: name → value. */
  readonly cookies: Map<string, string>;
}

export interface ApprovalHarness {
  readonly sim: GraphSimulator;
  readonly app: App;
  readonly keys: SigningKeys;
  readonly approvals: ApprovalsRepository;
  readonly audit: AuditRepository;
  /** A pending request (or as overridden) in storage, and its signed link token. */
  createApproval(
    overrides?: Partial<Approval>,
    tokenOverrides?: Partial<{
      tenantId: string;
      approvalId: string;
      action: RemediationAction;
      subjectId: string | null;
      expiresAt: Date;
    }>,
  ): Promise<{ approval: Approval; token: string }>;
  sign(
    claims: { tenantId: string; approvalId: string; action: RemediationAction; subjectId: string | null; expiresAt: Date },
    keys?: SigningKeys,
  ): Promise<string>;
  get(token: string, options?: CallOptions & { query?: string }): Promise<PageResponse>;
  /** GET the page in `browser` (keeping its cookie), then the form's hidden CSRF value. */
  openForm(token: string, browser: Browser): Promise<string>;
  post(token: string, form: Record<string, string>, options?: CallOptions): Promise<PageResponse>;
  /** A pending request as overridden, approved from its link in a fresh browser: the request, its token and the answer. */
  approveByLink(overrides: Partial<Approval>): Promise<{ approval: Approval; token: string; page: PageResponse }>;
  /** Everything the handlers logged, oldest first. */
  readonly logs: readonly LoggedLine[];
  auditFor(approvalId: string): Promise<AuditEntry[]>;
  /** Graph writes (anything but GET) the simulator saw for the tenant. */
  graphWrites(tenantId: string): { method: string; path: string }[];
  close(): Promise<void>;
}

export function newBrowser(): Browser {
  return { cookies: new Map() };
}

export function randomSigningKeys(kid = "test"): SigningKeys {
  return parseSigningKeys(`${kid}:${randomBytes(32).toString("base64")}`);
}

export async function startApprovalHarness(fixtures: readonly TenantFixture[]): Promise<ApprovalHarness> {
  const sim = await startGraphSimulator({ fixtures, throttling: { enabled: false } });
  const keys = randomSigningKeys();
  const sender = fixtures[0]?.graph["v1.0/users"]?.[0]?.userPrincipalName ?? "sender@contoso.com";
  const env = {
    ...simulatorSettings(sim, { tablePrefix: uniquePrefix() }),
    APPROVAL_SIGNING_KEYS: `test:${Buffer.from(keys[0].secret).toString("base64")}`,
    PUBLIC_BASE_URL,
    MAIL_SENDER: sender,
  };
  // The functions read their settings from the environment on first use, as in Azure.
  Object.assign(process.env, env);
  const app = functionApp();
  await registerFixtureTenants(app, fixtures);
  const { approvals, audit } = app;

  const sign: ApprovalHarness["sign"] = (claims, signWith = keys) => new ApprovalTokenSigner(signWith).sign(claims);

  const logs: LoggedLine[] = [];
  const call = async (
    method: "GET" | "POST",
    token: string,
    init: CallOptions & { query?: string; body?: string },
  ): Promise<PageResponse> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.browser && init.browser.cookies.size > 0) headers.cookie = [...init.browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (init.body !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
    const url = `${init.baseUrl ?? PUBLIC_BASE_URL}/api/approvals/${encodeURIComponent(token)}${init.query ?? ""}`;
    const request = new HttpRequest({
      method,
      url,
      headers,
      params: { token },
      query: Object.fromEntries(new URL(url).searchParams),
      ...(init.body !== undefined ? { body: { string: init.body } } : {}),
    });
    const context = new InvocationContext({
      functionName: method === "GET" ? "approval-page" : "approval-decision",
      logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(" ") }),
    });
    const result: HttpResponseInit = await (method === "GET" ? approvalPageGet : approvalPagePost)(request, context);
    const response = new HttpResponse(result);
    for (const cookie of response.cookies) init.browser?.cookies.set(cookie.name, cookie.value);
    return { status: response.status, headers: response.headers, cookies: response.cookies, body: await response.text() };
  };

  const createApproval: ApprovalHarness["createApproval"] = async (overrides = {}, tokenOverrides = {}) => {
    const now = new Date();
    const tenantId = overrides.tenantId ?? fixtures[0]?.tenant.id ?? "";
    const approval = pendingApproval({
      tenantId,
      approvalId: randomUUID().replaceAll("-", ""),
      runId: runIdAt(now),
      control: "accounts.inactive-90",
      createdAt: now,
      expiresAt: new Date(now.getTime() + 72 * HOUR),
      ...overrides,
    });
    const { approval: stored } = await approvals.createIfAbsent(approval);
    const token = await sign({
      tenantId: approval.tenantId,
      approvalId: approval.approvalId,
      action: approval.action,
      subjectId: approval.subjectId,
      expiresAt: approval.expiresAt,
      ...tokenOverrides,
    });
    return { approval: stored, token };
  };
  const openForm: ApprovalHarness["openForm"] = async (token, browser) => {
    const page = await call("GET", token, { browser });
    const field = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (page.status !== 200 || !field) throw new Error(`no form on the page (status ${page.status})`);
    return field;
  };
  const post: ApprovalHarness["post"] = (token, form, options = {}) =>
    call("POST", token, { ...options, body: new URLSearchParams(form).toString() });

  return {
    sim,
    app,
    keys,
    approvals,
    audit,
    logs,
    createApproval,
    sign,
    get: (token, options = {}) => call("GET", token, options),
    openForm,
    post,
    async approveByLink(overrides) {
      const { approval, token } = await createApproval(overrides);
      const browser = newBrowser();
      const page = await post(token, { decision: "approve", csrf: await openForm(token, browser) }, { browser });
      return { approval, token, page };
    },
    async auditFor(approvalId) {
      return (await audit.listForTenant(fixtures[0]?.tenant.id ?? "", { limit: 1000 })).filter((row) => row.approvalId === approvalId);
    },
    graphWrites(tenantId) {
      return sim
        .tenant(tenantId)
        .requests.filter((r) => r.method !== "GET")
        .map((r) => ({ method: r.method, path: r.path }));
    },
    close: () => sim.close(),
  };
}
