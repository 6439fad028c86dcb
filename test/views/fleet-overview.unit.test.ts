/**
 * The fleet overview (shared/views/fleet-overview.ts): its filter and sort rules, each cell's state
 * in words, hostile names escaped, no inline style (the CSP allows hashed <style> elements only),
 * and 1,000 tenants in one page.
 */
import { describe, expect, it } from "vitest";
import { CONTROLS } from "../../shared/controls/index.js";
import { cellOf, filterAndSort, fleetOverviewPage, overviewCounts, overviewQuery } from "../../shared/views/fleet-overview.js";
import type { FleetOverviewInput, OverviewFilter, OverviewTenant } from "../../shared/views/report-inputs.js";
import { HOSTILE, NOW, lastRun, summary, tenant } from "./report-builders.js";

const ALL: OverviewFilter = { failingOnly: false, control: null, name: "", sort: "name" };

function overviewInput(tenants: readonly OverviewTenant[], filter: Partial<OverviewFilter> = {}): FleetOverviewInput {
  return {
    tenants,
    filter: { ...ALL, ...filter },
    signedInAs: "mallory@msp.example",
    now: NOW,
    reportHref: (id) => `reports/tenants/${encodeURIComponent(id)}`,
    csvHref: (id) => `api/tenants/${encodeURIComponent(id)}/findings.csv`,
  };
}

const names = (tenants: readonly OverviewTenant[]) => tenants.map((t) => t.displayName);

const fabrikam = tenant("Fabrikam", summary("", { "mfa.admins": "fail" }, { score: 60, open: 4 }));
const contoso = tenant("contoso", summary("", { "apps.user-consent": "fail" }, { score: 80, open: 1 }));
const northwind = tenant("Northwind", summary("", {}, { score: 100, open: 0, lastRun: lastRun({ finishedAt: "2026-12-01T02:00:00Z" }) }));
const unscanned = tenant("Adatum", undefined);
const fleet = [fabrikam, contoso, northwind, unscanned];

describe("filterAndSort", () => {
  it("sorts by name without regard to case, ties by tenant id", () => {
    const twin = tenant("Contoso", summary(""), "tid-a");
    expect(filterAndSort([...fleet, twin], ALL).map((t) => t.tenantId)).toEqual([
      "tid-Adatum",
      "tid-a",
      "tid-contoso",
      "tid-Fabrikam",
      "tid-Northwind",
    ]);
  });

  it("puts the lowest score first and the tenants without one last", () => {
    expect(names(filterAndSort(fleet, { ...ALL, sort: "score" }))).toEqual(["Fabrikam", "contoso", "Northwind", "Adatum"]);
  });

  it("puts the most open findings first and the unscanned tenants last", () => {
    expect(names(filterAndSort(fleet, { ...ALL, sort: "open" }))).toEqual(["Fabrikam", "contoso", "Northwind", "Adatum"]);
  });

  it("puts the stalest last run first, a tenant never scanned before all", () => {
    expect(names(filterAndSort(fleet, { ...ALL, sort: "last-run" }))).toEqual(["Adatum", "Northwind", "contoso", "Fabrikam"]);
  });

  it("keeps only the tenants failing a control, or the chosen control", () => {
    expect(names(filterAndSort(fleet, { ...ALL, failingOnly: true }))).toEqual(["contoso", "Fabrikam"]);
    expect(names(filterAndSort(fleet, { ...ALL, failingOnly: true, control: "mfa.admins" }))).toEqual(["Fabrikam"]);
  });

  it("keeps the tenants whose name contains the text, whatever its case", () => {
    expect(names(filterAndSort(fleet, { ...ALL, name: " FAB " }))).toEqual(["Fabrikam"]);
  });

  it("leaves the input in its order", () => {
    const input = [...fleet];
    filterAndSort(input, { ...ALL, sort: "score" });
    expect(input).toEqual(fleet);
  });
});

describe("overviewCounts and overviewQuery", () => {
  it("counts the tenants failing a control and those whose last run failed, over the whole fleet", () => {
    const failedRun = tenant("Litware", summary("", {}, { lastRun: lastRun({ status: "failed", reason: "consent revoked" }) }));
    expect(overviewCounts([...fleet, failedRun], 2)).toEqual({ shown: 2, total: 5, failing: 2, lastRunFailed: 1 });
  });

  it("keeps every filter in a sort link, and only the ones set", () => {
    expect(overviewQuery({ failingOnly: true, control: "mfa.admins", name: "a&b", sort: "open" })).toBe(
      "?failing=1&control=mfa.admins&name=a%26b&sort=open",
    );
    expect(overviewQuery(ALL)).toBe("?sort=name");
  });
});

describe("fleetOverviewPage", () => {
  it("shows each cell's state as a word and a tone class, an unknown one with its reason", () => {
    const states = summary("", {
      "accounts.inactive-30": "fail",
      "mfa.admins": { state: "unknown", open: 1, accepted: 0, reason: "license" },
      "apps.user-consent": "accepted",
    });
    const page = fleetOverviewPage(overviewInput([tenant("Contoso", states)])).html;
    expect(page).toContain('<td class="tone-danger">fail</td>');
    expect(page).toContain('<td class="tone-warning">unknown <small>license</small></td>');
    expect(page).toContain('<td class="tone-info">accepted</td>');
    expect(page.match(/<td class="tone-success">pass<\/td>/g)).toHaveLength(CONTROLS.length - 3);
  });

  it("shows a tenant never scanned as such in every control", () => {
    expect(cellOf(undefined, "mfa.admins")).toBe("none");
    const page = fleetOverviewPage(overviewInput([unscanned])).html;
    expect(page.match(/<td class="tone-neutral">no scan<\/td>/g)).toHaveLength(CONTROLS.length);
    expect(page).toContain(">never<");
  });

  it("links each tenant to its report and shows its last run's status, changes and score", () => {
    const partial = tenant(
      "Contoso",
      summary(
        "",
        {},
        {
          score: 85,
          open: 3,
          changes: { new: 2, reopened: 1, resolved: 4 },
          lastRun: lastRun({ status: "partial", reason: "time budget" }),
        },
      ),
    );
    const page = fleetOverviewPage(overviewInput([partial])).html;
    expect(page).toContain('<a href="reports/tenants/tid-Contoso">Contoso</a>');
    expect(page).toContain("+3 new, −4 resolved");
    expect(page).toContain('2026-12-05 02:10 UTC <span class="pill warning">partial</span> <small>time budget</small>');
    expect(page).toContain("<td>85</td><td>3</td>");
  });

  it("narrows the grid to the chosen control's column", () => {
    const page = fleetOverviewPage(overviewInput(fleet, { control: "mfa.admins" })).html;
    expect(page.match(/<abbr /g)).toHaveLength(1);
    expect(page).toContain('<option value="mfa.admins" selected>');
  });

  it("marks the sorted column and keeps the filters in the header links", () => {
    const page = fleetOverviewPage(overviewInput(fleet, { failingOnly: true, sort: "score" })).html;
    expect(page).toContain('<th scope="col" aria-sort="ascending"><a href="?failing=1&amp;sort=score">Score</a></th>');
    expect(page).toContain('<a href="?failing=1&amp;sort=open">Open</a>');
    expect(page).toContain('name="failing" value="1" checked>');
  });

  it("counts the tenants shown out of all", () => {
    const page = fleetOverviewPage(overviewInput(fleet, { failingOnly: true })).html;
    expect(page).toContain("<strong>2</strong> of 4 tenants shown");
    expect(page).toContain("<strong>2</strong> failing a control");
  });

  it("says so when no tenant matches", () => {
    expect(fleetOverviewPage(overviewInput(fleet, { name: "zzz" })).html).toContain("No tenant matches these filters.");
  });

  it("escapes a hostile tenant name, unknown reason and run reason, and the filter's own text", () => {
    const hostile = tenant(
      HOSTILE,
      summary(
        "",
        { "mfa.admins": { state: "unknown", open: 1, accepted: 0, reason: HOSTILE } },
        { lastRun: lastRun({ status: "failed", reason: HOSTILE }) },
      ),
    );
    const page = fleetOverviewPage(overviewInput([hostile], { name: "<img" })).html;
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables");
  });

  it("has no inline style attribute, so the hashed stylesheets are all the CSP needs", () => {
    const page = fleetOverviewPage(overviewInput(fleet));
    expect(page.html).not.toMatch(/\sstyle\s*=/i);
    expect(page.html).not.toMatch(/<script/i);
    expect(page.styleSources).toHaveLength(2);
  });

  it("labels every form control", () => {
    const page = fleetOverviewPage(overviewInput(fleet)).html;
    const ids = [...page.matchAll(/<(?:input|select)[^>]* id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(page).toContain(`<label for="${id}">`);
  });

  it("renders 1,000 tenants in one page", () => {
    const tenants = Array.from({ length: 1000 }, (_, i) =>
      tenant(`Tenant ${i}`, summary("", i % 3 === 0 ? { "mfa.admins": "fail" } : {}, { score: i % 101, open: i % 7 }), `tid-${i}`),
    );
    const page = fleetOverviewPage(overviewInput(tenants, { sort: "score" })).html;
    expect(page.match(/<tr><th scope="row">/g)).toHaveLength(1000);
    // Lean markup per row: the page stays well under a megabyte.
    expect(page.length).toBeLessThan(1_000_000);
  });
});
