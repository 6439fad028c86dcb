/**
 * The reports in a real browser (Debian's Chromium through playwright-core), as `npm run dev` serves
 * them: the local host signs a person in (playing App Service Authentication), the demo tenants were
 * swept on three earlier dates and today. Walks the path: the fleet grid, Contoso's report
 * with its trend, accepting one finding for 30 days, the CSV export, and Save as PDF. Every page is
 * checked with axe-core (no serious or critical violations), and the hostile display name must
 * stay text (an alert() would land in `dialogs`). Screenshots go to test-results/.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { demoFixture, DEMO_AS_OF } from "../sweep/harness.js";
import { startReportsHarness, type ReportsHarness } from "../reports/harness.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-sync",
];
const HOSTILE = `<img src=x onerror=alert(1)> "Bobby" & Tables`;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n!! SKIPPING the reports browser test: ${CHROMIUM} is missing (apt-get install chromium).\n`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

describe.skipIf(!hasChromium)("the reports, in a browser", () => {
  let h: ReportsHarness;
  let browser: Browser;
  let tenants: { id: string; name: string }[];
  const dialogs: string[] = [];
  const cspViolations: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: false, acceptDownloads: true });
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  /** axe-core in the page (added as a script by the test, outside the page's CSP), serious and critical only. */
  async function seriousViolations(page: Page): Promise<string[]> {
    const source = await readFile(AXE, "utf8");
    // The pages forbid every script (CSP default-src 'none'); evaluate runs in the page without a <script> element.
    await page.evaluate(source);
    const results = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }).axe;
      const { violations, passes } = await axe.run();
      return { violations, passes: passes.length };
    });
    expect(results.passes, "axe-core ran its rules").toBeGreaterThan(10);
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  }

  beforeAll(async () => {
    const fixtures = await Promise.all([demoFixture("contoso-messy"), demoFixture("fabrikam-healthy"), demoFixture("northwind-free")]);
    tenants = fixtures.map((f) => ({ id: f.tenant.id, name: f.tenant.displayName }));
    h = await startReportsHarness(fixtures);
    await h.history(DEMO_AS_OF, [21, 14, 7]);
    await h.sweep(DEMO_AS_OF);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir("test-results", { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("the fleet overview: a grid of tenants × controls, filters, no accessibility problem", async () => {
    const page = await newPage();
    const response = await page.goto(`${h.primary.url}/api/reports`);
    expect(response?.status()).toBe(200);
    const grid = page.getByRole("table");
    for (const t of tenants) await expect.poll(() => grid.getByRole("link", { name: t.name }).count()).toBe(1);
    await page.screenshot({ path: "test-results/reports-overview.png", fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel(/name/i).first().fill("contoso");
    await Promise.all([
      page.waitForURL(/name=contoso/),
      page
        .getByRole("button", { name: /apply|filter|show/i })
        .first()
        .click(),
    ]);
    expect(await page.getByRole("table").getByRole("link", { name: tenants[0]!.name }).count()).toBe(1);
    expect(await page.getByRole("table").getByRole("link", { name: tenants[1]!.name }).count()).toBe(0);
  });

  it("each demo tenant's report renders, with its trend over the sweeps, the hostile name as text", async () => {
    for (const t of tenants) {
      const page = await newPage();
      const response = await page.goto(`${h.primary.url}/api/reports/tenants/${t.id}`);
      expect(response?.status(), t.name).toBe(200);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain(t.name);
      expect(await page.locator("svg[role=img] circle").count(), `${t.name}'s trend`).toBe(4);
      await page.screenshot({ path: `test-results/report-${t.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.png`, fullPage: true });
      expect(await seriousViolations(page), t.name).toEqual([]);
      await page.close();
    }
    const contoso = await newPage();
    await contoso.goto(`${h.primary.url}/api/reports/tenants/${tenants[0]!.id}`);
    expect(await contoso.getByText(HOSTILE).count()).toBeGreaterThan(0);
    expect(await contoso.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it("accept one finding for 30 days from Contoso's report; it moves to Accepted risks", async () => {
    const page = await newPage();
    await page.goto(`${h.primary.url}/api/reports/tenants/${tenants[0]!.id}`);
    const finding = page.locator(".finding").filter({ hasText: "ben.walters@contoso.com" }).first();
    await finding.locator("summary", { hasText: "Accept risk" }).click();
    await finding.getByLabel(/Why the risk is accepted/).fill("On parental leave until March; the manager confirmed");
    await finding.getByLabel(/Accepted for/).fill("30");
    await Promise.all([page.waitForURL(/done=accepted/), finding.getByRole("button", { name: "Accept risk" }).click()]);
    expect(await page.getByRole("status").textContent()).toContain("accepted");
    const accepted = page.locator("section", { has: page.getByRole("heading", { name: "Accepted risks" }) });
    expect(await accepted.textContent()).toContain("On parental leave until March");
    const stored = await h.app.acceptances.listForTenant(tenants[0]!.id);
    expect(stored).toHaveLength(1);
    const days = (stored[0]!.acceptance.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(stored[0]!.acceptance.acceptedBy).toBe("analyst@msp.example");
    await page.screenshot({ path: "test-results/report-accepted.png", fullPage: true });
  });

  it("a form posted from another site is refused and changes nothing", async () => {
    const before = await h.app.acceptances.listForTenant(tenants[0]!.id);
    const answer = await fetch(`${h.primary.url}/api/reports/tenants/${tenants[0]!.id}/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example" },
      body: new URLSearchParams({ control: "accounts.inactive-90", subjectId: "x", csrf: "forged" }).toString(),
    });
    expect(answer.status).toBe(403);
    expect(await h.app.acceptances.listForTenant(tenants[0]!.id)).toEqual(before);
  });

  it("exports the CSV from the report, and prints a clean PDF", async () => {
    const page = await newPage();
    await page.goto(`${h.primary.url}/api/reports/tenants/${tenants[0]!.id}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^control,control title,severity,subject id/);
    expect(csv).toContain("ben.walters@contoso.com");

    await page.emulateMedia({ media: "print" });
    expect(await page.locator("form").first().isVisible()).toBe(false);
    expect(await page.getByRole("link", { name: "Download CSV" }).isVisible()).toBe(false);
    expect(await page.getByRole("heading", { level: 1 }).isVisible()).toBe(true);
    const pdf = await page.pdf({ path: "test-results/report-contoso.pdf", format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(10_000);
  });
});
