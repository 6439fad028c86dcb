import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS_DIR } from "../../dev/embedded.js";
import { CONTROL_IDS } from "../../shared/model/findings.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const TENANT_LEVEL = ["mfa.all-users", "auth.legacy-blocked", "password.sspr-enabled", "apps.user-consent", "roles.global-admin-count"];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The contract automation relies on, through npm exactly as the README shows it. */
async function sweep(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "--silent", "sweep", "--", ...args], { cwd: ROOT, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

interface SweepJson {
  runId: string;
  asOf: string;
  tenants: {
    tenantId: string;
    status: string;
    findings: { control: string; subjectId: string | null; status: string; severity: string; detail: unknown }[];
  }[];
}

describe("npm run sweep", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "sweep-cli-"));
  });

  it("sweeps the given fixtures and writes the JSON contract", async () => {
    const out = path.join(work, "out.json");
    const result = await sweep(
      "--fixture",
      path.join(DEMO_TENANTS_DIR, "contoso-messy.json"),
      "--fixture",
      path.join(DEMO_TENANTS_DIR, "northwind-free.json"),
      "--as-of",
      "2026-11-28T02:00:00Z",
      "--json",
      out,
      "--data",
      path.join(work, "azurite"),
    );
    expect(result.stderr).toMatch(/\[2\/2\]/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Contoso .*: completed/);
    expect(result.stdout).toContain(
      "not counted: CA003: Require MFA for all users (GAs excluded to avoid lockout): excludes roles: 62e90394-69f5-4237-9190-012177145e10; excludes guests or external users: b2bCollaborationGuest (all external tenants)",
    );
    const json = JSON.parse(await readFile(out, "utf8")) as SweepJson;
    expect(json.asOf).toBe("2026-11-28T02:00:00.000Z");
    expect(json.runId).toMatch(/^\d{8}T\d{6}\.\d{3}Z$/);
    expect(json.tenants.map((t) => t.status)).toEqual(["completed", "completed"]);
    for (const tenant of json.tenants) {
      for (const control of TENANT_LEVEL)
        expect(tenant.findings.filter((f) => f.control === control && f.subjectId === null)).toHaveLength(1);
      const perSubject = tenant.findings.filter((f) => !TENANT_LEVEL.includes(f.control));
      for (const f of perSubject) {
        expect(CONTROL_IDS).toContain(f.control);
        expect(["fail", "unknown"]).toContain(f.status);
        expect(typeof f.severity).toBe("string");
      }
    }
  }, 120_000);

  it("rejects a malformed --as-of with exit code 2 and says what is wrong", async () => {
    const result = await sweep("--as-of", "yesterday");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--as-of "yesterday" is not an ISO-8601 instant/);
  });

  it("rejects an unknown option", async () => {
    const result = await sweep("--fixtures", "x.json");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--fixtures'/);
  });

  it("rejects an invalid fixture, naming the file, the key and the problem", async () => {
    const bad = path.join(work, "bad.json");
    const contoso = JSON.parse(await readFile(path.join(DEMO_TENANTS_DIR, "contoso-messy.json"), "utf8")) as {
      graph: Record<string, unknown>;
    };
    contoso.graph["v1.0/userz"] = [];
    await writeFile(bad, JSON.stringify(contoso));
    const result = await sweep("--fixture", bad, "--data", path.join(work, "azurite"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bad.json");
    expect(result.stderr).toContain("v1.0/userz");
  });

  it("rejects a fixture that is not there", async () => {
    const result = await sweep("--fixture", path.join(work, "missing.json"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing.json");
  });
});
