/**
 * An outsider's and a malicious insider's attacks on the reports and the risk register, through the
 * local host playing App Service Authentication: caller apps reaching past their tenants (and
 * other tenants' ids in other spellings), and forged, foreign, garbage and huge continuation
 * tokens. No answer is a 500 and none shows a stack.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHttpHost } from "../../dev/local-host/http-host.js";
import { demoFixture, DEMO_AS_OF } from "../sweep/harness.js";
import { callerApp } from "../http/ticketing-harness.js";
import { READER, startReportsHarness, type ReportsHarness } from "./harness.js";

/** A stack trace's frame, in any answer, would tell an attacker about the code. */
const STACK_FRAME = /\bat [\w.<>]+ \(|\.ts:\d+:\d+|node:internal/;

/** Reaches Contoso only, may read and accept. */
const SCOPED = callerApp("7b2e0d3f-1111-4a4a-9b9b-000000000001", ["Findings.Read", "Risks.Accept"]);
/** Reaches every tenant, may only read. */
const READ_ONLY = callerApp("7b2e0d3f-2222-4a4a-9b9b-000000000002", ["Findings.Read"]);

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}
interface FindingItem {
  control: string;
  subjectId: string | null;
}

let h: ReportsHarness;
let contoso: string;
let fabrikam: string;
let tokens: { scoped: string; readOnly: string };

beforeAll(async () => {
  const fixtures = await Promise.all([demoFixture("contoso-messy"), demoFixture("fabrikam-healthy")]);
  [contoso, fabrikam] = fixtures.map((f) => f.tenant.id) as [string, string];
  h = await startReportsHarness(fixtures, {}, [
    { app: SCOPED, record: { displayName: "Contoso's ServiceNow", tenants: [contoso] } },
    { app: READ_ONLY, record: { displayName: "MSP dashboard", tenants: "all" } },
  ]);
  await h.sweep(DEMO_AS_OF);
  tokens = {
    scoped: await h.tokenFor(SCOPED),
    readOnly: await h.tokenFor(READ_ONLY),
  };
}, 120_000);
afterAll(() => h?.close());

/** Any request through a host; never a 500, never a stack in the body. */
async function call(host: LocalHttpHost, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${host.url}/api/${path}`, { redirect: "manual", ...init });
  const text = await response.text();
  expect(response.status, `${init.method ?? "GET"} ${path}: ${text.slice(0, 300)}`).not.toBe(500);
  expect(text).not.toMatch(STACK_FRAME);
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}
const get = (path: string, headers: Record<string, string> = {}) => call(h.primary, path, { headers });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}, host = h.primary) =>
  call(host, path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

async function openFindings(tenantId: string): Promise<FindingItem[]> {
  const answer = await get(`tenants/${tenantId}/findings?status=open&pageSize=1000`);
  expect(answer.status).toBe(200);
  return answer.json().items as FindingItem[];
}
const acceptances = (tenantId: string) => h.app.acceptances.listForTenant(tenantId);
const ref = (f: FindingItem) => ({ control: f.control, subjectId: f.subjectId });
/** The open findings, handed out one per attack so the attacks do not meet. */
let pool: FindingItem[] = [];
async function freshTarget(): Promise<FindingItem> {
  if (pool.length === 0) {
    const taken = new Set((await acceptances(contoso)).map((s) => JSON.stringify([s.acceptance.control, s.acceptance.subjectId])));
    pool = (await openFindings(contoso)).filter((f) => f.subjectId !== null && !taken.has(JSON.stringify([f.control, f.subjectId])));
  }
  const target = pool.shift();
  if (!target) throw new Error("Contoso ran out of open findings for the attacks");
  return target;
}

describe("a caller app scoped to Contoso", () => {
  it("sees only Contoso in the fleet and in a run", async () => {
    const fleet = await get("tenants", bearer(tokens.scoped));
    expect(fleet.status).toBe(200);
    expect((fleet.json().tenants as { tenantId: string }[]).map((t) => t.tenantId)).toEqual([contoso]);
    const runId = (await h.app.summaries.get(contoso))?.lastRun?.runId ?? "";
    const run = await get(`runs/${runId}`, bearer(tokens.scoped));
    expect(run.status).toBe(200);
    expect((run.json().tenants as { tenantId: string }[]).map((t) => t.tenantId)).toEqual([contoso]);
    expect(run.json().run).toMatchObject({ tenantCount: 1 }); // not the fleet's size
  });

  it("gets 404 for Fabrikam's findings, events and CSV, in any spelling of its id", async () => {
    for (const id of [fabrikam, fabrikam.toUpperCase(), `{${fabrikam}}`, `${fabrikam} `]) {
      for (const path of ["findings", "events", "findings?format=csv", "events?format=csv"]) {
        const answer = await get(`tenants/${encodeURIComponent(id)}/${path}`, bearer(tokens.scoped));
        expect(answer.status, `${id} ${path}`).toBe(404);
        expect(answer.text).not.toContain("accounts.");
      }
    }
    expect((await get(`tenants/${contoso.toUpperCase()}/findings`, bearer(tokens.scoped))).status).toBe(200);
  });

  it("cannot accept or revoke Fabrikam's risks: 404, nothing stored", async () => {
    const [target] = await openFindings(fabrikam);
    const body = { control: target?.control ?? "accounts.inactive-90", subjectId: target?.subjectId ?? null, reason: "mine now" };
    for (const id of [fabrikam, fabrikam.toUpperCase()]) {
      expect((await postJson(`tenants/${id}/acceptances`, { ...body, expiresInDays: 30 }, bearer(tokens.scoped))).status).toBe(404);
      expect((await postJson(`tenants/${id}/acceptances/revoke`, ref(body), bearer(tokens.scoped))).status).toBe(404);
    }
    expect(await acceptances(fabrikam)).toEqual([]);
  });

  it("a reading app cannot accept (403); a forged token is 401", async () => {
    const target = await freshTarget();
    const body = { ...ref(target), reason: "no", expiresInDays: 30 };
    expect((await postJson(`tenants/${contoso}/acceptances`, body, bearer(tokens.readOnly))).status).toBe(403);
    const [head, payload] = tokens.scoped.split(".") as [string, string];
    const widened = Buffer.from(
      JSON.stringify({ ...(JSON.parse(Buffer.from(payload, "base64url").toString()) as object), roles: ["Risks.Accept"] }),
    ).toString("base64url");
    for (const token of [`${head}.${widened}.x`, "not.a.jwt", "x".repeat(5000), `${head}.${payload}.`]) {
      const refused = await postJson(`tenants/${contoso}/acceptances`, body, bearer(token));
      expect(refused.status, token.slice(0, 40)).toBe(401);
      expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    expect(await acceptances(contoso)).toEqual([]);
  });
});

describe("continuation tokens", () => {
  const fingerprint = (tenantId: string) =>
    createHash("sha256")
      .update(JSON.stringify(["findings", tenantId, null, null, null]))
      .digest("base64url")
      .slice(0, 16);
  const wrap = (tenantId: string, table: string) =>
    Buffer.from(JSON.stringify({ v: 1, q: fingerprint(tenantId), t: table })).toString("base64url");
  const tableToken = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

  it("Contoso's token on Fabrikam, or with other filters, is a 400", async () => {
    const first = (await get(`tenants/${contoso}/findings?pageSize=1`)).json();
    const token = encodeURIComponent(first.continuation as string);
    expect((await get(`tenants/${fabrikam}/findings?pageSize=1&continuation=${token}`)).status).toBe(400);
    expect((await get(`tenants/${contoso}/findings?pageSize=1&control=accounts.inactive-90&continuation=${token}`)).status).toBe(400);
    expect((await get(`tenants/${contoso}/events?continuation=${token}`)).status).toBe(400);
  });

  it("a forged token that points into Fabrikam's partition reads nothing of Fabrikam", async () => {
    const fabrikamSubjects = (await get(`tenants/${fabrikam}/findings?pageSize=1000`)).json().items as FindingItem[];
    const forged = wrap(contoso, tableToken({ nextPartitionKey: fabrikam, nextRowKey: "" }));
    const answer = await get(`tenants/${contoso}/findings?continuation=${forged}`, bearer(tokens.scoped));
    expect([200, 400]).toContain(answer.status);
    for (const f of fabrikamSubjects) if (f.subjectId) expect(answer.text).not.toContain(f.subjectId);
  });

  it("garbage, truncated, huge and malformed tokens are a 400, never a 500", async () => {
    const genuine = (await get(`tenants/${contoso}/findings?pageSize=1`)).json().continuation as string;
    const tokensToTry = [
      "!!!",
      "%00",
      genuine.slice(0, 10),
      `${genuine}AAAA`,
      "A".repeat(4097),
      Buffer.from("null").toString("base64url"),
      Buffer.from('{"v":1,"q":[],"t":{}}').toString("base64url"),
      wrap(contoso, "garbage"),
      wrap(contoso, tableToken(null)),
      wrap(contoso, tableToken([])),
      wrap(contoso, tableToken({ nextPartitionKey: contoso, nextRowKey: "'; drop" })),
      wrap(contoso, tableToken({ nextPartitionKey: contoso, nextRowKey: "\u0000\uffff" })),
    ];
    for (const token of tokensToTry) {
      const answer = await get(`tenants/${contoso}/findings?continuation=${encodeURIComponent(token)}`);
      expect([200, 400], token.slice(0, 60)).toContain(answer.status);
      const events = await get(`tenants/${contoso}/events?continuation=${encodeURIComponent(token)}`);
      expect([200, 400], token.slice(0, 60)).toContain(events.status);
    }
  });

  it("a forged token with a numeric partition key is a 400", async () => {
    const token = wrap(contoso, tableToken({ nextPartitionKey: 5 }));
    expect((await get(`tenants/${contoso}/findings?continuation=${token}`)).status).toBe(400);
  });

  it("events page on without `since`: the next page is served, not refused as another query", async () => {
    const first = await get(`tenants/${contoso}/events?pageSize=2`);
    expect(first.status).toBe(200);
    const token = first.json().continuation as string | null;
    expect(token).not.toBeNull();
    const next = await get(`tenants/${contoso}/events?pageSize=2&continuation=${encodeURIComponent(token ?? "")}`);
    expect(next.status, next.text).toBe(200);
    expect(next.json().items).not.toEqual(first.json().items);
    const elsewhere = await get(`tenants/${fabrikam}/events?pageSize=2&continuation=${encodeURIComponent(token ?? "")}`);
    expect(elsewhere.status).toBe(400);
  });
});

describe("the risk register under attack", () => {
  const DAY = 86_400_000;
  const accept = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    postJson(`tenants/${contoso}/acceptances`, body, headers);
  const events = async () => (await h.app.events.listSince(contoso, new Date(Date.now() - DAY), { pageSize: 1000 })).events;

  it("expiries that are no instant, too far, past or absurd are a 400 naming the field; exactly 365 days is taken", async () => {
    const target = await freshTarget();
    const base = { ...ref(target), reason: "edge cases" };
    const refused: [Record<string, unknown>, string][] = [
      [{ expiresAt: "2027-02-30T00:00:00Z" }, "expiresAt"],
      [{ expiresAt: "2027-02-01T00:00:00" }, "expiresAt"], // no offset: whose midnight?
      [{ expiresAt: new Date(Date.now() + 365 * DAY + 60_000).toISOString() }, "expiresAt"],
      [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, "expiresAt"],
      [{ expiresInDays: 1e300 }, "expiresInDays"],
      [{ expiresInDays: "99999999999999999999" }, "expiresInDays"],
      [{ expiresInDays: -5 }, "expiresInDays"],
      [{ expiresInDays: 0 }, "expiresInDays"],
      [{ expiresInDays: 2.5 }, "expiresInDays"],
      [{ expiresInDays: 366 }, "expiresInDays"],
      [{}, "expiresInDays"],
    ];
    for (const [expiry, field] of refused) {
      const answer = await accept({ ...base, ...expiry });
      expect(answer.status, JSON.stringify(expiry)).toBe(400);
      expect((answer.json().errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    expect(await acceptances(contoso)).toEqual([]);
    const taken = await accept({ ...base, expiresInDays: 365 });
    expect(taken.status, taken.text).toBe(201);
    expect((await postJson(`tenants/${contoso}/acceptances/revoke`, ref(target))).status).toBe(200);
  });

  it("twenty identical accepts at once: one 201, nineteen 409, one acceptance, one event, one log line", async () => {
    const target = await freshTarget();
    const body = { ...ref(target), reason: "race", expiresInDays: 30 };
    const answers = await Promise.all(Array.from({ length: 20 }, () => accept(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array<number>(19).fill(409)]);
    const mine = (e: { control: string; subjectId: string | null }) => e.control === target.control && e.subjectId === target.subjectId;
    expect((await acceptances(contoso)).filter((s) => mine(s.acceptance))).toHaveLength(1);
    expect((await events()).filter((e) => mine(e) && e.event === "accepted")).toHaveLength(1);
    expect(
      h.logs.filter((line) => line.includes(`risk accepted by analyst@msp.example in ${contoso}: ${target.control} ${target.subjectId}`)),
    ).toHaveLength(1);
  });

  it("ten revokes at once: one revokes and only that one is recorded; the same request again finds nothing", async () => {
    const target = await freshTarget();
    expect((await accept({ ...ref(target), reason: "to revoke", expiresInDays: 30 })).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(`tenants/${contoso}/acceptances/revoke`, ref(target))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers) expect([200, 404, 409]).toContain(a.status);
    const mine = (e: { control: string; subjectId: string | null }) => e.control === target.control && e.subjectId === target.subjectId;
    expect((await events()).filter((e) => mine(e) && e.event === "acceptance-revoked")).toHaveLength(1);
    expect((await postJson(`tenants/${contoso}/acceptances/revoke`, ref(target))).status).toBe(404);
  });

  it("revoke finds the acceptance whatever the case of the subject id", async () => {
    const target = await freshTarget();
    expect((await accept({ ...ref(target), reason: "case", expiresInDays: 30 })).status).toBe(201);
    const answer = await postJson(`tenants/${contoso}/acceptances/revoke`, { ...ref(target), subjectId: target.subjectId?.toUpperCase() });
    expect(answer.status, answer.text).toBe(200);
  });

  it("a signed-in person's accept from another site's page is refused (Sec-Fetch-Site, Origin); nothing stored", async () => {
    const target = await freshTarget();
    const body = { ...ref(target), reason: "forged", expiresInDays: 30 };
    for (const headers of [
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { Origin: "https://evil.example" },
    ] as Record<string, string>[]) {
      expect((await accept(body, headers)).status, JSON.stringify(headers)).toBe(403);
    }
    expect((await acceptances(contoso)).filter((s) => s.acceptance.subjectId === target.subjectId)).toEqual([]);
  });

  it("hostile reasons (HTML, CR/LF, bidi controls) are stored as data: escaped in the report, neutralised in the CSV", async () => {
    const target = await freshTarget();
    const reason = `=cmd|' /C calc'!A0 <script>alert(1)</script>\r\nFAKE LOG LINE \u202Egnp.exe`;
    expect((await accept({ ...ref(target), reason, expiresInDays: 30 })).status).toBe(201);
    const page = await get(`reports/tenants/${contoso}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("<script>alert(1)");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).not.toContain("\u202E");
    const csv = (await get(`tenants/${contoso}/events?format=csv`)).text;
    expect(csv).toContain(`"'=cmd|' /C calc'!A0 <script>alert(1)</script>\r\nFAKE LOG LINE`);
    expect(csv).not.toMatch(/(^|,)"?=cmd/m);
    expect((await postJson(`tenants/${contoso}/acceptances/revoke`, ref(target))).status).toBe(200);
  });

  it("the report form takes a field only for its own tenant and person; a replayed post after revoke does not resurrect", async () => {
    const target = await freshTarget();
    const page = await fetch(`${h.primary.url}/api/reports/tenants/${contoso}`);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const field = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    expect(field).not.toBe("");
    const form = (tenantId: string, extra: Record<string, string>) =>
      fetch(`${h.primary.url}/api/reports/tenants/${tenantId}/${extra.kind}`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, "Sec-Fetch-Site": "same-origin" },
        body: new URLSearchParams({ csrf: field, control: target.control, subjectId: target.subjectId ?? "", ...extra }).toString(),
      });
    // Contoso's field on Fabrikam's form: refused before anything is read.
    expect((await form(fabrikam, { kind: "accept", reason: "cross-tenant", expiresInDays: "30" })).status).toBe(403);
    const accepted = await form(contoso, { kind: "accept", reason: "from the form", expiresInDays: "30" });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe(`/api/reports/tenants/${contoso}?done=accepted`);
    const other = await h.host(READER);
    const byReader = await fetch(`${other.url}/api/reports/tenants/${contoso}/revoke`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
      body: new URLSearchParams({ csrf: field, control: target.control, subjectId: target.subjectId ?? "" }).toString(),
    });
    expect(byReader.status).toBe(403); // no Risks.Accept, whatever the field
    expect((await form(contoso, { kind: "revoke" })).status).toBe(303);
    const replayed = await form(contoso, { kind: "revoke" });
    expect(replayed.status).toBe(409);
    expect((await acceptances(contoso)).filter((s) => s.acceptance.subjectId === target.subjectId)).toEqual([]);
  });

  it("HEAD, OPTIONS and PUT on the report routes are never a 500", async () => {
    for (const method of ["HEAD", "OPTIONS", "PUT", "DELETE"]) {
      for (const path of ["tenants", `tenants/${contoso}/findings`, `tenants/${contoso}/acceptances`, `reports/tenants/${contoso}`]) {
        const answer = await call(h.primary, path, { method });
        expect([200, 404, 405], `${method} ${path}`).toContain(answer.status);
      }
    }
  });
});
