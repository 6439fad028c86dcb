/**
 * An outsider's and a malicious insider's attacks on the reports and the risk register, through the
 * local host playing App Service Authentication: caller apps reaching past their tenants (and
 * other tenants' ids in other spellings), and forged, foreign, garbage and huge continuation
 * tokens. No answer is a 500 and none shows a stack. Two known holes are pinned with `it.fails`.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHttpHost } from "../../dev/local-host/http-host.js";
import { demoFixture, DEMO_AS_OF } from "../sweep/harness.js";
import { callerApp } from "../http/ticketing-harness.js";
import { startReportsHarness, type ReportsHarness } from "./harness.js";

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

  // Known hole (left open): a token whose table part names a non-string key reaches the table client and is a 500.
  it.fails("a forged token with a numeric partition key is a 400", async () => {
    const token = wrap(contoso, tableToken({ nextPartitionKey: 5 }));
    expect((await get(`tenants/${contoso}/findings?continuation=${token}`)).status).toBe(400);
  });

  // Known hole (left open): without `since` the default window moves with the clock, so the token's fingerprint never matches again.
  it.fails("events page on without `since`: the next page is served, not refused as another query", async () => {
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
