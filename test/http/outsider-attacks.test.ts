/**
 * An outsider's attacks on the HTTP entry points after the wiring moved to shared/app/: replayed and
 * concurrent ticketing requests, another tenant's ids under a tenant's route, hostile strings in the
 * API body reaching logs and the approval page, and a foreign Origin through the local dev host.
 * Attacks already covered elsewhere are listed in the session's report, not repeated here.
 */
import functionsRuntime from "@azure/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { handleGetRemediation, handleRequestRemediation, handleUndoRemediation } from "../../functions/remediations-api.js";
import { FUNCTIONS } from "../../functions/registry.js";
import { startLocalHttpHost, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import type { RemediationResult } from "../../shared/model/remediation.js";
import { demoFixture } from "../sweep/harness.js";
import { HOSTILE_NAME, newBrowser, startApprovalHarness, type ApprovalHarness } from "./harness.js";

const { HttpRequest, InvocationContext } = functionsRuntime;

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const ENRICO = "91cbee10-7d58-51d9-b27f-68150da6fb60"; // Contoso, inactive 270 days
const ALLAN = "a94d1105-7f55-5309-a761-5de0a0b8221d"; // Contoso, inactive 1,275 days
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** HTML, a forged log line and a right-to-left override in one value. */
const HOSTILE = `${HOSTILE_NAME}\r\n[remediation] information: FORGED \u202Egpj.exe`;

let h: ApprovalHarness;
let fabrikam: string;
const logs: { level: string; text: string }[] = [];

beforeAll(async () => {
  const fabrikamFixture = await demoFixture("fabrikam-healthy");
  fabrikam = fabrikamFixture.tenant.id;
  h = await startApprovalHarness([await demoFixture("contoso-messy"), fabrikamFixture]);
});
afterEach(() => {
  for (const tenantId of [CONTOSO, fabrikam]) {
    h.sim.tenant(tenantId).restore();
    h.sim.tenant(tenantId).reset();
  }
  logs.length = 0;
});
afterAll(() => h.close());

const context = () => new InvocationContext({ logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(" ") }) });
const post = (params: Record<string, string>, body: unknown) =>
  new HttpRequest({ method: "POST", url: "http://localhost/api/x", params, body: { string: JSON.stringify(body) } });
const enabled = (id: string) => (h.sim.tenant(CONTOSO).get(`v1.0/users/${id}`) as { accountEnabled: boolean }).accountEnabled;
const block = (subjectId: string) => ({ action: "block-account", control: "accounts.inactive-90", subjectId });
const patches = (tenantId: string) => h.graphWrites(tenantId).filter((w) => w.method === "PATCH");

async function apply(tenantId: string, body: object): Promise<RemediationResult> {
  const response = await handleRequestRemediation(h.app, post({ tenantId }, { requestedBy: "servicenow:INC1", ...body }), context());
  expect(response.status).toBe(200);
  return response.jsonBody as RemediationResult;
}

const auditRows = async (subjectId: string) =>
  (await h.audit.listForTenant(CONTOSO, { limit: 1000 })).filter((row) => row.subjectId === subjectId);

describe("the same ticketing request again", () => {
  it("twice in a row: the second is stale, both audited, one PATCH", async () => {
    const first = await apply(CONTOSO, block(ALLAN));
    const second = await apply(CONTOSO, block(ALLAN));
    expect([first.outcome, second.outcome]).toEqual(["done", "stale"]);
    expect((await auditRows(ALLAN)).map((row) => row.outcome).sort()).toEqual(["done", "stale"]);
    expect(patches(CONTOSO)).toHaveLength(1);
    expect(enabled(ALLAN)).toBe(false);
  });

  it("20 at once: one acts, the 19 others are stale, each attempt has its audit row", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => apply(CONTOSO, block(ENRICO))));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === "done")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "stale")).toHaveLength(19);
    const rows = await auditRows(ENRICO);
    expect(new Set(rows.map((row) => row.auditId))).toEqual(new Set(results.map((r) => r.auditId)));
    expect(patches(CONTOSO)).toHaveLength(1);
    expect(enabled(ENRICO)).toBe(false);
  });
});

describe("another tenant's ids under a tenant's route", () => {
  it("Contoso's audit id under Fabrikam's route: 404 to read, refused to undo, Contoso's account stays blocked", async () => {
    const contosoRow = await apply(CONTOSO, block(ENRICO));
    expect(contosoRow.outcome).toBe("done");
    const params = { tenantId: fabrikam, auditId: contosoRow.auditId };
    const read = await handleGetRemediation(h.app, new HttpRequest({ method: "GET", url: "http://localhost/api/x", params }));
    expect(read.status).toBe(404);
    const undone = await handleUndoRemediation(h.app, post(params, { requestedBy: "servicenow:INC2" }), context());
    expect(undone.jsonBody).toMatchObject({ outcome: "refused", message: expect.stringContaining("has no audit row") as unknown });
    expect(enabled(ENRICO)).toBe(false);
    expect(h.graphWrites(fabrikam)).toEqual([]);
    expect(patches(CONTOSO)).toHaveLength(1);
  });

  it("a Contoso user as the subject under Fabrikam's route: stale in Fabrikam, nothing written anywhere", async () => {
    const result = await apply(fabrikam, block(ENRICO));
    expect(result.outcome).toBe("stale");
    expect(h.graphWrites(fabrikam)).toEqual([]);
    expect(h.graphWrites(CONTOSO)).toEqual([]);
    expect(enabled(ENRICO)).toBe(true);
  });
});

describe("hostile strings in the ticketing API body", () => {
  it("requestedBy and subjectId with HTML, CR/LF and U+202E: one log line per call, nothing forged or reversed", async () => {
    const hostileSubject = await apply(CONTOSO, { ...block(HOSTILE), requestedBy: HOSTILE });
    expect(hostileSubject.outcome).not.toBe("done");
    const done = await apply(CONTOSO, { ...block(ENRICO), requestedBy: HOSTILE });
    await handleUndoRemediation(h.app, post({ tenantId: CONTOSO, auditId: done.auditId }, { requestedBy: HOSTILE }), context());
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const line of logs) {
      expect(line.text).not.toMatch(/[\r\n]/);
      expect(line.text).not.toMatch(BIDI_CONTROLS);
    }
    expect(logs.some((line) => line.text.includes("\\u000d\\u000a[remediation] information: FORGED \\u202egpj.exe"))).toBe(true);
  });

  it("an API undo's requestedBy shows on the approval page as text, without its bidi override", async () => {
    const {
      approval,
      token,
      page: approved,
    } = await h.approveByLink({
      tenantId: CONTOSO,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: ENRICO,
    });
    expect(approved.status).toBe(200);
    const auditId = (await h.approvals.get(CONTOSO, approval.approvalId))?.auditId ?? "";
    const undone = await handleUndoRemediation(h.app, post({ tenantId: CONTOSO, auditId }, { requestedBy: HOSTILE }), context());
    expect(undone.jsonBody).toMatchObject({ outcome: "done" });
    const page = await h.get(token);
    expect(page.body).toContain("Undone");
    expect(page.body).not.toContain("<img");
    expect(page.body).toContain(
      "&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables [remediation] information: FORGED gpj.exe",
    );
    expect(page.body).not.toMatch(BIDI_CONTROLS);
  });
});

describe("hostile strings on the approval page", () => {
  it("a hostile tenant name: escaped, one line, no bidi override, on the confirmation page and the 409 paused page", async () => {
    const record = await h.app.tenants.get(CONTOSO);
    if (!record) throw new Error("Contoso is not registered");
    await h.app.tenants.upsert({ ...record, displayName: HOSTILE });
    try {
      const { token } = await h.createApproval({ tenantId: CONTOSO, subjectId: ENRICO });
      const browser = newBrowser();
      const csrf = await h.openForm(token, browser);
      await h.app.tenants.setEnabled(CONTOSO, false);
      const paused = await h.post(token, { decision: "approve", csrf }, { browser });
      expect(paused.status).toBe(409);
      for (const page of [await h.get(token), paused]) {
        expect(page.body).not.toContain("<img");
        expect(page.body).toContain(
          "&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables [remediation] information: FORGED gpj.exe",
        );
        expect(page.body).not.toMatch(BIDI_CONTROLS);
      }
      expect(h.graphWrites(CONTOSO)).toEqual([]);
    } finally {
      await h.app.tenants.upsert({ ...record, enabled: true });
    }
  });

  it("a token route value with CR/LF and U+202E: a 400 page, and each log line stays one line", async () => {
    const before = h.logs.length;
    const token = `x\r\n[approval-decision] information: approved \u202Egpj.exe`;
    expect((await h.get(token)).status).toBe(400);
    expect((await h.post(token, { decision: "approve", csrf: "x" }, { headers: { origin: "https://evil.example" } })).status).toBe(403);
    const lines = h.logs.slice(before);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.text).not.toMatch(/[\r\n]/);
      expect(line.text).not.toMatch(BIDI_CONTROLS);
    }
  });
});

describe("the approval POST through the local dev host", () => {
  let host: LocalHttpHost;
  beforeAll(async () => {
    host = await startLocalHttpHost({ functions: FUNCTIONS, port: 0, functionKey: "k", log: () => undefined });
  });
  afterAll(() => host.close());

  /** GET the confirmation page through the host, then POST the decision with `headers` added. */
  async function decide(headers: Record<string, string>): Promise<{ status: number; subjectId: string }> {
    const { token, approval } = await h.createApproval({
      tenantId: CONTOSO,
      control: "accounts.inactive-90",
      action: "block-account",
      subjectId: ENRICO,
    });
    const url = `${host.url}/api/approvals/${encodeURIComponent(token)}`;
    const page = await fetch(url);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const response = await fetch(url, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ csrf, decision: "approve" }).toString(),
    });
    return { status: response.status, subjectId: approval.subjectId ?? "" };
  }

  it("refuses a foreign Origin with the victim's cookie and form field, and blocks nobody", async () => {
    const refused = await decide({ origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect(enabled(ENRICO)).toBe(true);
    expect(h.graphWrites(CONTOSO)).toEqual([]);
    // The same request without the foreign Origin acts: the refusal above was the Origin's.
    expect((await decide({})).status).toBe(200);
    expect(enabled(ENRICO)).toBe(false);
  });
});
