/**
 * The approval page's GET and POST handlers (functions/approval-page.ts), called the way the
 * Functions host calls them, against the shared Azurite and an in-process simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantFixture, user, userId } from "../simulator/helpers/fixtures.js";
import type { TenantFixture } from "../../dev/simulator/index.js";
import { HOSTILE_NAME, newBrowser, randomSigningKeys, startApprovalHarness, type ApprovalHarness } from "./harness.js";

const TENANT = "aaaaaaaa-0000-4000-8000-00000000000a";
const OTHER_TENANT = "bbbbbbbb-0000-4000-8000-00000000000b";
/** A tenant whose registered name carries a RIGHT-TO-LEFT OVERRIDE: it would show as "Contosoexe.jpg". */
const BIDI_TENANT = "cccccccc-0000-4000-8000-00000000000c";
const BIDI_NAME = "Contoso\u202Egpj.exe";
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const INACTIVE_SINCE = "2020-01-15T08:00:00Z";
const HOUR = 3_600_000;

/** Users 1..40 have not signed in since 2020: each test blocks its own. */
function fixtures(): TenantFixture[] {
  const inactive = Array.from({ length: 40 }, (_, i) =>
    user(i + 1, {
      createdDateTime: "2019-03-01T00:00:00Z",
      signInActivity: {
        lastSignInDateTime: INACTIVE_SINCE,
        lastNonInteractiveSignInDateTime: INACTIVE_SINCE,
        lastSuccessfulSignInDateTime: INACTIVE_SINCE,
      },
      ...(i + 1 === 7 ? { displayName: HOSTILE_NAME } : {}),
    }),
  );
  const main = tenantFixture({ id: TENANT, graph: { "v1.0/users": [user(0, { mail: "user0@contoso.com" }), ...inactive] } });
  const other = tenantFixture({ id: OTHER_TENANT, displayName: "Fabrikam" });
  return [main, other, tenantFixture({ id: BIDI_TENANT, displayName: BIDI_NAME })];
}

let h: ApprovalHarness;
let nextUser = 1;

/** A pending block-account request for a fresh inactive user. */
async function blockRequest(
  overrides: Parameters<ApprovalHarness["createApproval"]>[0] = {},
  tokenOverrides: Parameters<ApprovalHarness["createApproval"]>[1] = {},
) {
  const n = nextUser++;
  if (n === 7) return blockRequest(overrides, tokenOverrides); // the hostile name has its own test
  const subjectId = userId(n);
  const created = await h.createApproval(
    { subjectId, evidence: { displayName: `User ${n}`, userPrincipalName: `user${n}@contoso.com`, daysInactive: 2000 }, ...overrides },
    tokenOverrides,
  );
  return { ...created, subjectId };
}

function accountEnabled(subjectId: string): unknown {
  return (h.sim.tenant(TENANT).get(`v1.0/users/${subjectId}`) as { accountEnabled?: unknown } | undefined)?.accountEnabled;
}

function writesTo(subjectId: string) {
  return h.graphWrites(TENANT).filter((w) => w.path.includes(subjectId));
}

/** Runs `during` with the tenant disabled (as an operator would pause it), then enables it again. */
async function whileDisabled(tenantId: string, during: () => Promise<void>): Promise<void> {
  const tenant = await h.app.tenants.get(tenantId);
  if (!tenant) throw new Error("tenant missing");
  await h.app.tenants.upsert({ ...tenant, enabled: false });
  try {
    await during();
  } finally {
    await h.app.tenants.upsert({ ...tenant, enabled: true });
  }
}

function errorsLogged(): string[] {
  return h.logs.filter((line) => line.level === "error").map((line) => line.text);
}

beforeAll(async () => {
  h = await startApprovalHarness(fixtures());
});
afterAll(() => h.close());

describe("GET: the confirmation page", () => {
  it("shows what will happen, the evidence and both buttons, and changes nothing", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const page = await h.get(token);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Block sign-in for User`);
    expect(page.body).toContain("user");
    expect(page.body).toMatch(/<button type="submit" name="decision" value="approve"/);
    expect(page.body).toMatch(/<button type="submit" name="decision" value="reject"/);
    expect(page.body).toContain("Days inactive");
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("pending");
    expect(writesTo(subjectId)).toEqual([]);
    expect(accountEnabled(subjectId)).toBe(true);
    expect(await h.auditFor(approval.approvalId)).toEqual([]);
  });

  it("sends the security headers and an HttpOnly SameSite=Strict cookie", async () => {
    const { token } = await blockRequest();
    const page = await h.get(token);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.body).not.toMatch(/<script|style="/i);
    // http://localhost: a plain name (a __Host- cookie needs https).
    expect(page.cookies).toEqual([expect.objectContaining({ name: "tp-approval-csrf", httpOnly: true, sameSite: "Strict", path: "/" })]);
  });

  it("highlights the button the email link asked for, without deciding", async () => {
    const { approval, token } = await blockRequest();
    const approve = await h.get(token, { query: "?decision=approve" });
    expect(approve.body).toMatch(/value="approve" class="btn btn-approve" autofocus/);
    const reject = await h.get(token, { query: "?decision=reject" });
    expect(reject.body).toMatch(/value="reject" class="btn btn-reject chosen" autofocus/);
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("pending");
  });

  it("escapes a hostile display name", async () => {
    const { token } = await h.createApproval({
      subjectId: userId(7),
      evidence: { displayName: HOSTILE_NAME, userPrincipalName: "user7@contoso.com" },
    });
    const page = await h.get(token);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain("<img");
    expect(page.body).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables");
  });

  it("shows a tenant name without its bidi override, on the confirmation page and the 409 paused page", async () => {
    const { approval, token } = await h.createApproval({
      tenantId: BIDI_TENANT,
      subjectId: userId(1),
      evidence: { displayName: "User 1", userPrincipalName: "user1@contoso.com" },
    });
    const page = await h.get(token);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Contosogpj.exe ·");
    expect(page.body).not.toMatch(BIDI_CONTROLS);
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    await whileDisabled(BIDI_TENANT, async () => {
      const paused = await h.post(token, { csrf, decision: "approve" }, { browser });
      expect(paused.status).toBe(409);
      expect(paused.body).toContain("This tenant is paused");
      expect(paused.body).toContain("Contosogpj.exe is disabled");
      expect(paused.body).not.toMatch(BIDI_CONTROLS);
    });
    expect((await h.approvals.get(BIDI_TENANT, approval.approvalId))?.state).toBe("pending");
    expect(h.graphWrites(BIDI_TENANT)).toEqual([]);
  });
});

describe("POST: the decision", () => {
  it("approves once: blocks the account, writes one audit row, records the outcome", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const page = await h.post(
      token,
      { csrf, decision: "approve" },
      { browser, headers: { origin: "http://localhost:7071", "sec-fetch-site": "same-origin" } },
    );
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Sign-in blocked for User`);
    expect(accountEnabled(subjectId)).toBe(false);
    const audit = await h.auditFor(approval.approvalId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      outcome: "done",
      action: "block-account",
      subjectId,
      channel: "approval",
      requestedBy: "approval link sent to it@contoso.com",
    });
    const stored = await h.approvals.get(TENANT, approval.approvalId);
    expect(stored).toMatchObject({
      state: "approved",
      outcome: "done",
      auditId: audit[0]?.auditId,
      decidedBy: "approval link sent to it@contoso.com",
    });
  });

  it("answers a second POST with the recorded outcome (409) and does not act again", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    expect((await h.post(token, { csrf, decision: "approve" }, { browser })).status).toBe(200);
    const again = await h.post(token, { csrf, decision: "approve" }, { browser });
    expect(again.status).toBe(409);
    expect(again.body).toContain("already decided");
    const opposite = await h.post(token, { csrf, decision: "reject" }, { browser });
    expect(opposite.status).toBe(409);
    expect(await h.auditFor(approval.approvalId)).toHaveLength(1);
    expect(writesTo(subjectId).filter((w) => w.method === "PATCH")).toHaveLength(1);
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("approved");
    // GET afterwards shows the recorded outcome, without a form.
    const view = await h.get(token);
    expect(view.status).toBe(200);
    expect(view.body).toContain("Sign-in blocked for");
    expect(view.body).not.toContain("<form");
  });

  it("runs the action exactly once for 20 simultaneous POSTs of the same link", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const pages = await Promise.all(Array.from({ length: 20 }, () => h.post(token, { csrf, decision: "approve" }, { browser })));
    const statuses = pages.map((p) => p.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await h.auditFor(approval.approvalId)).toHaveLength(1);
    expect(writesTo(subjectId).filter((w) => w.method === "PATCH")).toHaveLength(1);
    expect(accountEnabled(subjectId)).toBe(false);
  });

  it("rejects: nothing changes in the tenant and no audit row is written", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const page = await h.post(token, { csrf, decision: "reject" }, { browser });
    expect(page.status).toBe(200);
    expect(page.body).toContain("Rejected");
    expect(page.body).toContain("Nothing was changed");
    expect(accountEnabled(subjectId)).toBe(true);
    expect(writesTo(subjectId)).toEqual([]);
    expect(await h.auditFor(approval.approvalId)).toEqual([]);
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("rejected");
  });

  it("shows a failed remediation as such, with no exception text", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const fault = h.sim.faults.add({
      tenantId: TENANT,
      method: "PATCH",
      path: `v1.0/users/${subjectId}`,
      times: Infinity,
      fault: { type: "status", status: 400, message: "Secret internal detail" },
    });
    try {
      const browser = newBrowser();
      const csrf = await h.openForm(token, browser);
      const page = await h.post(token, { csrf, decision: "approve" }, { browser });
      expect(page.status).toBe(200);
      expect(page.body).toContain("Not done: the change failed");
      expect(page.body).not.toMatch(/at \w+ \(|node_modules|Error:/);
      expect(await h.auditFor(approval.approvalId)).toEqual([expect.objectContaining({ outcome: "failed" })]);
      expect(accountEnabled(subjectId)).toBe(true);
    } finally {
      fault.remove();
    }
  });
});

describe("POST: cross-site request forgery", () => {
  async function refused(post: (token: string, csrf: string) => ReturnType<ApprovalHarness["post"]>) {
    const { approval, token, subjectId } = await blockRequest();
    const csrf = await h.openForm(token, newBrowser());
    const page = await post(token, csrf);
    expect(page.status).toBe(403);
    expect(page.body).toContain("Please confirm again");
    expect(page.body).toContain(`href="./${encodeURIComponent(token)}"`);
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("pending");
    expect(writesTo(subjectId)).toEqual([]);
    expect(await h.auditFor(approval.approvalId)).toEqual([]);
  }

  it("refuses a POST without the cookie", () => refused((token, csrf) => h.post(token, { csrf, decision: "approve" })));

  it("refuses a POST without the hidden field", async () => {
    await refused(async (token) => {
      const browser = newBrowser();
      await h.openForm(token, browser);
      return h.post(token, { decision: "approve" }, { browser });
    });
  });

  it("refuses a field made for another cookie", async () => {
    await refused(async (token, csrf) => {
      const browser = newBrowser(); // a different browser: its own cookie value
      await h.openForm(token, browser);
      return h.post(token, { csrf, decision: "approve" }, { browser });
    });
  });

  it("refuses a field made for another link", async () => {
    const other = await blockRequest();
    await refused(async (token) => {
      const browser = newBrowser();
      await h.openForm(token, browser);
      const otherField = await h.openForm(other.token, browser);
      return h.post(token, { csrf: otherField, decision: "approve" }, { browser });
    });
  });

  it("refuses what the browser marks as cross-site, and a foreign Origin", async () => {
    const crossSite: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
    ];
    for (const headers of crossSite) {
      await refused(async (token) => {
        const browser = newBrowser();
        const csrf = await h.openForm(token, browser);
        return h.post(token, { csrf, decision: "approve" }, { browser, headers });
      });
    }
  });

  it("refuses an Origin that is the request's own host but not PUBLIC_BASE_URL's (DNS rebinding)", async () => {
    // evil.example resolving to the app: the browser calls the post same-origin and sends its cookie.
    await refused(async (token) => {
      const browser = newBrowser();
      const csrf = await h.openForm(token, browser);
      const headers = { origin: "http://evil.example", "sec-fetch-site": "same-origin" };
      return h.post(token, { csrf, decision: "approve" }, { browser, headers, baseUrl: "http://evil.example" });
    });
  });

  it("accepts Origin: null (what browsers send from a no-referrer page)", async () => {
    const { token } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    const page = await h.post(
      token,
      { csrf, decision: "reject" },
      { browser, headers: { origin: "null", "sec-fetch-site": "same-origin" } },
    );
    expect(page.status).toBe(200);
  });

  it("answers 400 to a form without a valid decision", async () => {
    const { approval, token } = await blockRequest();
    const browser = newBrowser();
    const csrf = await h.openForm(token, browser);
    expect((await h.post(token, { csrf, decision: "yes-please" }, { browser })).status).toBe(400);
    expect((await h.post(token, { csrf }, { browser })).status).toBe(400);
    expect((await h.approvals.get(TENANT, approval.approvalId))?.state).toBe("pending");
  });
});

describe("links that cannot be used: a clear page, the right status, no side effects", () => {
  /** GET and a well-formed POST (valid CSRF) both answer `status`; nothing is decided or done. */
  async function refusedBoth(token: string, status: number, text: string, approvalId?: string, subjectId?: string) {
    const page = await h.get(token);
    expect(page.status).toBe(status);
    expect(page.body).toContain(text);
    expect(page.body).not.toContain("<form");
    const browser = newBrowser();
    await h.get(token, { browser }); // the cookie, as any earlier page would have set it
    const csrf = await csrfFor(token, browser);
    const posted = await h.post(token, { csrf, decision: "approve" }, { browser });
    expect(posted.status).toBe(status);
    if (approvalId) {
      const stored = await h.approvals.get(TENANT, approvalId);
      expect(stored?.decidedAt ?? null).toBeNull();
      expect(await h.auditFor(approvalId)).toEqual([]);
    }
    if (subjectId) {
      expect(writesTo(subjectId)).toEqual([]);
      expect(accountEnabled(subjectId)).toBe(true);
    }
  }

  /** The CSRF field for a token whose page shows no form: computed like the page would. */
  async function csrfFor(token: string, browser: ReturnType<typeof newBrowser>): Promise<string> {
    const { createHmac } = await import("node:crypto");
    const key = createHmac("sha256", h.keys[0].secret).update("tenant-patrol/approval-form-csrf/v1").digest();
    const cookie = browser.cookies.get("tp-approval-csrf") ?? "x".repeat(43);
    browser.cookies.set("tp-approval-csrf", cookie);
    return createHmac("sha256", key).update(`${cookie}\n${token}`).digest("base64url");
  }

  it("410 for an expired link", async () => {
    const { approval, token, subjectId } = await blockRequest({ expiresAt: new Date(Date.now() - HOUR) });
    await refusedBoth(token, 410, "This link has expired", approval.approvalId, subjectId);
  });

  it("410 for a request that expired while its token still verifies", async () => {
    const { approval, token, subjectId } = await blockRequest(
      { expiresAt: new Date(Date.now() - HOUR) },
      { expiresAt: new Date(Date.now() + HOUR) },
    );
    await refusedBoth(token, 410, "This link has expired", approval.approvalId, subjectId);
  });

  it("403 for a tampered token (payload changed, signature kept)", async () => {
    const { approval, token, subjectId } = await blockRequest();
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sid: userId(1) })).toString("base64url")}.${signature}`;
    await refusedBoth(forged, 403, "This link is not valid", approval.approvalId, subjectId);
  });

  it("403 for a token signed with a key we do not have", async () => {
    const { approval, subjectId } = await blockRequest();
    const token = await h.sign(
      { tenantId: TENANT, approvalId: approval.approvalId, action: "block-account", subjectId, expiresAt: approval.expiresAt },
      randomSigningKeys("test"),
    );
    await refusedBoth(token, 403, "This link is not valid", approval.approvalId, subjectId);
  });

  it("400 for a damaged token", async () => {
    const { approval, token, subjectId } = await blockRequest();
    await refusedBoth(token.slice(0, 40), 400, "This link is damaged", approval.approvalId, subjectId);
    await refusedBoth("not-a-token", 400, "This link is damaged");
  });

  it("400 for a well-signed token whose claims we never issue (a tenant id that is no GUID…), nothing logged as an error", async () => {
    const { approval, subjectId } = await blockRequest();
    const claims = {
      tenantId: TENANT,
      approvalId: approval.approvalId,
      action: "block-account" as const,
      subjectId,
      expiresAt: approval.expiresAt,
    };
    const errorsBefore = errorsLogged().length;
    const bad = [
      { tenantId: "a/b" },
      { tenantId: "contoso" },
      { approvalId: "a/b" },
      { approvalId: "0".repeat(600) },
      { subjectId: "a/b" },
      { subjectId: null },
    ];
    for (const change of bad) {
      await refusedBoth(await h.sign({ ...claims, ...change }), 400, "This link is damaged", approval.approvalId, subjectId);
    }
    expect(errorsLogged().slice(errorsBefore)).toEqual([]);
  });

  it("404 for an approval that does not exist", async () => {
    const token = await h.sign({
      tenantId: TENANT,
      approvalId: "0123456789abcdef0123456789abcdef",
      action: "block-account",
      subjectId: userId(1),
      expiresAt: new Date(Date.now() + HOUR),
    });
    await refusedBoth(token, 404, "Request not found");
  });

  it("404 for a valid token naming another tenant (the request is not in its partition)", async () => {
    const { approval, subjectId } = await blockRequest();
    const token = await h.sign({
      tenantId: OTHER_TENANT,
      approvalId: approval.approvalId,
      action: "block-account",
      subjectId,
      expiresAt: approval.expiresAt,
    });
    await refusedBoth(token, 404, "Request not found", approval.approvalId, subjectId);
  });

  it("403 for a valid token whose action or subject differ from the stored request", async () => {
    const { approval, subjectId } = await blockRequest();
    const otherSubject = await h.sign({
      tenantId: TENANT,
      approvalId: approval.approvalId,
      action: "block-account",
      subjectId: userId(2),
      expiresAt: approval.expiresAt,
    });
    await refusedBoth(otherSubject, 403, "does not match", approval.approvalId, subjectId);
    const otherAction = await h.sign({
      tenantId: TENANT,
      approvalId: approval.approvalId,
      action: "enforce-mfa",
      subjectId,
      expiresAt: approval.expiresAt,
    });
    await refusedBoth(otherAction, 403, "does not match", approval.approvalId, subjectId);
  });

  it("409 when the tenant was disabled after the email", async () => {
    const { approval, token, subjectId } = await blockRequest({ tenantId: OTHER_TENANT });
    await whileDisabled(OTHER_TENANT, async () => {
      expect((await h.get(token)).status).toBe(409);
      expect((await h.approvals.get(OTHER_TENANT, approval.approvalId))?.state).toBe("pending");
      expect(h.graphWrites(OTHER_TENANT).filter((w) => w.path.includes(subjectId))).toEqual([]);
    });
  });
});
