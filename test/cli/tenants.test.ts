import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { TableStore } from "../../shared/storage/connection.js";
import { TableTenantsRepository } from "../../shared/storage/tenants.js";
import { azuriteConnectionString, uniquePrefix } from "../storage/store.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";

/** One storage "deployment" per test: its own table prefix on the shared Azurite. */
function deployment() {
  const prefix = uniquePrefix();
  const env = { ...process.env, AzureWebJobsStorage: azuriteConnectionString(), STORAGE_TABLE_PREFIX: prefix };
  const repository = new TableTenantsRepository(new TableStore({ connectionString: env.AzureWebJobsStorage }, { tableNamePrefix: prefix }));
  const tenants = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run("npx", ["tsx", "cli/tenants.ts", ...args], { cwd: ROOT, env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const failed = e as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  };
  return { tenants, repository };
}

describe("npm run tenants", () => {
  it("registers, lists, disables and re-enables a tenant", async () => {
    const { tenants, repository } = deployment();
    const added = await tenants(
      "add",
      CONTOSO,
      "--name",
      "Contoso",
      "--approver",
      "it@contoso.com",
      "--exclude-user",
      "11111111-2222-3333-4444-555555555555",
    );
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining("Registered Contoso") as string });
    expect(await repository.get(CONTOSO)).toMatchObject({
      displayName: "Contoso",
      enabled: true,
      config: { approvers: ["it@contoso.com"], exclusions: { userIds: ["11111111-2222-3333-4444-555555555555"], groupIds: [] } },
    });
    expect((await tenants("disable", CONTOSO)).code).toBe(0);
    expect((await repository.get(CONTOSO))?.enabled).toBe(false);
    expect((await tenants("list")).stdout).toMatch(new RegExp(`${CONTOSO}\\s+disabled\\s+Contoso`));
  }, 60_000);

  it("registers a ticketing caller app with the tenants it reaches, and refuses a caller without a reach", async () => {
    const { tenants } = deployment();
    const app = "6a1f0c2e-1111-4a4a-9b9b-000000000001";
    expect(await tenants("caller", "add", app, "--name", "ServiceNow", "--tenants", CONTOSO)).toMatchObject({ code: 0 });
    expect((await tenants("caller", "list")).stdout).toContain(`${app}  ServiceNow  reaches: ${CONTOSO}`);
    const refused = await tenants("caller", "add", "servicenow", "--name", "ServiceNow");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not an app \(client\) id.*exactly one of --tenants/);
  }, 60_000);

  it("rejects bad input with every problem named, and stores nothing", async () => {
    const { tenants, repository } = deployment();
    const result = await tenants("add", "contoso", "--approver", "not-an-email");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tenantId: must be a GUID/);
    expect(result.stderr).toMatch(/displayName: must not be empty/);
    expect(result.stderr).toMatch(/config\.approvers\.0: must be an email address/);
    expect(await repository.list()).toEqual([]);
  }, 60_000);

  it("imports a file all or nothing", async () => {
    const { tenants, repository } = deployment();
    const dir = await mkdtemp(path.join(tmpdir(), "tenants-"));
    const file = path.join(dir, "tenants.json");
    await writeFile(
      file,
      JSON.stringify([
        { tenantId: CONTOSO, displayName: "Contoso" },
        { tenantId: "x", displayName: "Broken" },
      ]),
    );
    const failed = await tenants("import", file);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/tenant #2 in .*tenants\.json:\n\s+- tenantId: must be a GUID/);
    expect(await repository.list()).toEqual([]);

    await writeFile(file, JSON.stringify([{ tenantId: CONTOSO, displayName: "Contoso" }]));
    expect((await tenants("import", file)).code).toBe(0);
    expect(await repository.get(CONTOSO)).toMatchObject({
      enabled: true,
      config: { approvers: [], exclusions: { userIds: [], groupIds: [] } },
    });
  }, 60_000);

  it("says which setting is missing when no storage is configured", async () => {
    const { stderr, code } = await promisify(execFile)("npx", ["tsx", "cli/tenants.ts", "list"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "" },
    }).then(
      () => ({ stderr: "", code: 0 }),
      (e: { stderr: string; code: number }) => e,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/AzureWebJobsStorage is required/);
  }, 60_000);
});
