/**
 * The findings API and the risk register through the local host (the Azure routes, the platform's
 * sign-in played by the host): refusals, paging while a sweep writes, CSV escaping, and an
 * acceptance's life through sweeps: accepted → not open, not asked about → expired → reopened with
 * its `acceptance-expired` event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHttpHost } from "../../dev/local-host/http-host.js";
import { encodeClientPrincipal } from "../../shared/http/principal.js";
import { demoFixture, DEMO_AS_OF } from "../sweep/harness.js";
import { FUNCTION_KEY, NOBODY_SPECIAL, READER, startReportsHarness, type ReportsHarness } from "./harness.js";

const DAY = 86_400_000;
const HOSTILE = `<img src=x onerror=alert(1)> "Bobby" & Tables`;
/** The demo's hostile account, renamed so its name is also a spreadsheet formula. */
const FORMULA_NAME = `=HYPERLINK("https://evil.example","click") ${HOSTILE}`;

interface FindingItem {
  control: string;
  subjectId: string | null;
  status: string;
  state: string;
  evidence: Record<string, unknown>;
  acceptance: { acceptedBy: string; expiresAt: string } | null;
}

describe("the findings API and the risk register", () => {
  let h: ReportsHarness;
  let contosoId: string;
  let fabrikamId: string;

  const call = async (host: LocalHttpHost, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${host.url}/api/${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const get = (path: string, init: RequestInit = {}) => call(h.primary, path, init);
  const post = (path: string, body: unknown, host = h.primary) =>
    call(host, path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const findings = async (query: string): Promise<FindingItem[]> => {
    const items: FindingItem[] = [];
    let continuation: string | null = null;
    do {
      const page = await get(
        `tenants/${contosoId}/findings?${query}${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ""}`,
      );
      expect(page.status, page.text).toBe(200);
      const body = page.json() as { items: FindingItem[]; continuation: string | null };
      items.push(...body.items);
      continuation = body.continuation;
    } while (continuation !== null);
    return items;
  };

  beforeAll(async () => {
    const fixtures = await Promise.all([demoFixture("contoso-messy"), demoFixture("fabrikam-healthy")]);
    const hostile = fixtures[0].graph["v1.0/users"]?.find((u) => u.displayName === HOSTILE);
    if (!hostile) throw new Error("the Contoso fixture lost its hostile account");
    hostile.displayName = FORMULA_NAME;
    [contosoId, fabrikamId] = fixtures.map((f) => f.tenant.id) as [string, string];
    h = await startReportsHarness(fixtures);
    await h.sweep(DEMO_AS_OF);
  }, 120_000);
  afterAll(() => h?.close());

  describe("refusals", () => {
    it("401 for nobody signed in, 403 without the role, and a forged principal header is dropped by the platform", async () => {
      const anonymous = await h.host("anonymous");
      const unauthenticated = await call(anonymous, "tenants");
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get("content-type")).toMatch(/problem\+json/);
      const forged = encodeClientPrincipal({
        auth_typ: "aad",
        claims: [{ typ: "roles", val: "Reports.Read" }],
        name_typ: "name",
        role_typ: "roles",
      });
      expect((await call(anonymous, "tenants", { headers: { "x-ms-client-principal": forged } })).status).toBe(401);

      const guest = await h.host(NOBODY_SPECIAL);
      const forbidden = await call(guest, `tenants/${contosoId}/findings`);
      expect(forbidden.status).toBe(403);
      expect(forbidden.json().detail).toMatch(/Reports\.Read/);
    });

    it("a reader without Risks.Accept cannot accept; nothing is stored", async () => {
      const reader = await h.host(READER);
      expect((await call(reader, "tenants")).status).toBe(200);
      const refused = await post(
        `tenants/${contosoId}/acceptances`,
        { control: "accounts.inactive-90", subjectId: null, reason: "x", expiresInDays: 5 },
        reader,
      );
      expect(refused.status).toBe(403);
      expect(await h.app.acceptances.listForTenant(contosoId)).toEqual([]);
    });

    it("400 names each bad parameter; 404 for an unknown tenant or run", async () => {
      const bad = await get(`tenants/${contosoId}/findings?status=broken&pageSize=0&colour=red`);
      expect(bad.status).toBe(400);
      const fields = (bad.json().errors as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(["query.colour", "query.pageSize", "query.status"]);
      expect((await get(`tenants/${contosoId}/findings?continuation=bm90LWEtdG9rZW4`)).status).toBe(400);
      expect((await get("tenants/00000000-0000-0000-0000-000000000000/findings")).status).toBe(404);
      expect((await get("tenants/not-a-guid/events")).status).toBe(404);
      expect((await get("runs/20000101T000000.000Z")).status).toBe(404);
      expect((await get("runs/yesterday")).status).toBe(400);
    });

    it("a continuation token only works with the query it came from", async () => {
      const first = (await get(`tenants/${contosoId}/findings?pageSize=2`)).json();
      expect(typeof first.continuation).toBe("string");
      const swapped = await get(
        `tenants/${contosoId}/findings?pageSize=2&status=open&continuation=${encodeURIComponent(first.continuation as string)}`,
      );
      expect(swapped.status).toBe(400);
      expect(swapped.json().errors).toEqual([expect.objectContaining({ field: "query.continuation" })]);
    });

    it("refuses bad acceptances with the problem named, and stores nothing", async () => {
      const [open] = await findings("status=open&control=accounts.inactive-90");
      const base = { control: open!.control, subjectId: open!.subjectId, reason: "Service account, owner agreed", expiresInDays: 30 };
      const cases: [unknown, string][] = [
        [{ ...base, reason: "  " }, "reason"],
        [{ ...base, expiresInDays: 400 }, "expiresInDays"],
        [{ ...base, expiresInDays: undefined, expiresAt: new Date(Date.now() - DAY).toISOString() }, "expiresAt"],
        [{ ...base, subjectId: "no-such-user" }, "subjectId"],
        [{ ...base, control: "mfa.everyone" }, "control"],
      ];
      for (const [body, field] of cases) {
        const answer = await post(`tenants/${contosoId}/acceptances`, body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect((answer.json().errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      const asForm = await call(h.primary, `tenants/${contosoId}/acceptances`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify(base),
      });
      expect(asForm.status).toBe(415);
      expect(await h.app.acceptances.listForTenant(contosoId)).toEqual([]);
    });
  });

  it("GET tenants: every tenant with its summary, read from the summary rows", async () => {
    const body = (await get("tenants")).json() as {
      tenants: { tenantId: string; displayName: string; summary: Record<string, unknown> | null }[];
    };
    const contoso = body.tenants.find((t) => t.tenantId === contosoId);
    expect(contoso?.summary).toMatchObject({ tenantId: contosoId, lastRun: { status: expect.any(String) as unknown } });
    expect((contoso?.summary?.open as number) > 0).toBe(true);
    expect(body.tenants.find((t) => t.tenantId === fabrikamId)?.summary).not.toBeNull();
  });

  it("CSV: one row per finding, formula cells neutralised, the MSP's columns empty", async () => {
    const answer = await get(`tenants/${contosoId}/findings`, { headers: { Accept: "text/csv" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = answer.text.split("\r\n").filter((l) => l.length > 0);
    expect(lines[0]).toBe(
      "control,control title,severity,subject id,display name,user principal name,status,first seen,last seen,resolved,accepted until,evidence,owner,due,justification",
    );
    const all = await findings("");
    expect(lines).toHaveLength(all.length + 1);
    // No cell starts a formula: every cell is split naively on commas outside quotes.
    for (const line of lines.slice(1)) {
      for (const cell of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@]/);
      expect(line.endsWith(",,,")).toBe(true);
    }
    expect(answer.text).toContain(`"'=HYPERLINK(""https://evil.example"",""click"") <img src=x onerror=alert(1)> ""Bobby"" & Tables"`);
    expect((await get(`tenants/${contosoId}/findings?format=csv`)).text).toBe(answer.text);
  });

  it("pages lose and repeat no row while a sweep writes", async () => {
    const before = await findings("");
    const seen: FindingItem[] = [];
    let continuation: string | null = null;
    let swept = false;
    do {
      const page = await get(
        `tenants/${contosoId}/findings?pageSize=3${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ""}`,
      );
      const body = page.json() as { items: FindingItem[]; continuation: string | null };
      seen.push(...body.items);
      continuation = body.continuation;
      if (!swept) await h.sweep(new Date(DEMO_AS_OF.getTime() + DAY)); // rewrites the tenant's rows between two pages
      swept = true;
    } while (continuation !== null);
    const keys = seen.map((f) => JSON.stringify([f.control, f.subjectId]));
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of before) expect(keys).toContain(JSON.stringify([f.control, f.subjectId]));
  });

  it("an acceptance lives through sweeps: not open, never asked about, expires, reopens with its event", async () => {
    const [target] = await findings("status=open&control=accounts.inactive-90");
    expect(target).toBeDefined();
    const summaryBefore = (await h.app.summaries.get(contosoId))!;

    const accepted = await post(`tenants/${contosoId}/acceptances`, {
      control: target!.control,
      subjectId: target!.subjectId,
      reason: "Shared mailbox kept for the auditors",
      expiresInDays: 2,
    });
    expect(accepted.status, accepted.text).toBe(201);
    expect(accepted.json().acceptance).toMatchObject({ acceptedBy: "analyst@msp.example", reason: "Shared mailbox kept for the auditors" });
    const again = await post(`tenants/${contosoId}/acceptances`, {
      control: target!.control,
      subjectId: target!.subjectId,
      reason: "twice",
      expiresInDays: 5,
    });
    expect(again.status).toBe(409);

    const key = JSON.stringify([target!.control, target!.subjectId]);
    const keyOf = (f: FindingItem) => JSON.stringify([f.control, f.subjectId]);
    expect((await findings("status=open")).map(keyOf)).not.toContain(key);
    expect((await findings("status=accepted")).map(keyOf)).toEqual([key]);
    const summaryAccepted = (await h.app.summaries.get(contosoId))!;
    expect(summaryAccepted.open).toBe(summaryBefore.open - 1);
    expect(summaryAccepted.accepted).toBe(summaryBefore.accepted + 1);

    // The next night: still accepted. A ticket (or an approval sent before the acceptance) does not act on it.
    await h.sweep(new Date(DEMO_AS_OF.getTime() + 1.5 * DAY));
    expect((await findings("status=accepted")).map(keyOf)).toEqual([key]);
    const ticket = await call(h.primary, `tenants/${contosoId}/remediations`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-functions-key": FUNCTION_KEY },
      body: JSON.stringify({
        action: "block-account",
        control: target!.control,
        subjectId: target!.subjectId!.toUpperCase(),
        requestedBy: "INC0042",
      }),
    });
    expect(ticket.json()).toMatchObject({
      outcome: "refused",
      message: expect.stringMatching(/accepted by analyst@msp\.example/) as unknown,
    });
    expect(h.sim.tenant(contosoId).requests.filter((r) => r.method === "PATCH")).toEqual([]);

    // After the expiry: the sweep that sees it expire reopens the finding and records why.
    const expiredRun = await h.sweep(new Date(Date.now() + 3 * DAY));
    expect(await h.app.acceptances.listForTenant(contosoId)).toEqual([]);
    expect((await findings("status=open")).map(keyOf)).toContain(key);
    const events = (
      await get(`tenants/${contosoId}/events?since=${encodeURIComponent(new Date(Date.now() - DAY).toISOString())}&pageSize=1000`)
    ).json().items as {
      event: string;
      control: string;
      subjectId: string | null;
      runId: string | null;
      acceptance: { by: string } | null;
    }[];
    const mine = events.filter((e) => JSON.stringify([e.control, e.subjectId]) === key);
    expect(mine.map((e) => e.event)).toEqual(expect.arrayContaining(["accepted", "acceptance-expired"]));
    expect(mine.find((e) => e.event === "acceptance-expired")).toMatchObject({
      runId: expiredRun,
      acceptance: { by: "analyst@msp.example" },
    });
    const run = (await get(`runs/${expiredRun}`)).json() as { tenants: { tenantId: string; counts?: Record<string, number> }[] };
    expect(run.tenants.find((t) => t.tenantId === contosoId)?.counts?.["acceptance-expired"]).toBe(1);
  }, 120_000);

  it("revoke: the finding is open again at once, and the revoke is recorded", async () => {
    const [target] = await findings("status=open&control=accounts.inactive-30");
    const ref = { control: target!.control, subjectId: target!.subjectId };
    expect((await post(`tenants/${contosoId}/acceptances`, { ...ref, reason: "Parental leave", expiresInDays: 90 })).status).toBe(201);
    const revoked = await post(`tenants/${contosoId}/acceptances/revoke`, ref);
    expect(revoked.status, revoked.text).toBe(200);
    expect((await post(`tenants/${contosoId}/acceptances/revoke`, ref)).status).toBe(404);
    expect((await findings("status=accepted")).map((f) => f.subjectId)).not.toContain(ref.subjectId);
    const events = (await get(`tenants/${contosoId}/events?format=csv`)).text;
    expect(events).toMatch(/acceptance-revoked,accounts\.inactive-30,[^\r\n]*analyst@msp\.example,Parental leave/);
  });
});
