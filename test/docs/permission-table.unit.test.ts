/** The README's permission table is the manifest's, as generated (dev/docs/permission-table.ts). */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { permissionTable, README_PATH, withPermissionTable } from "../../dev/docs/permission-table.js";
import { allPermissions } from "../../shared/graph/permission-manifest.js";

it("README.md carries the table generated from the permission manifest", () => {
  const readme = readFileSync(README_PATH, "utf8");
  expect(withPermissionTable(readme), "stale: run `npx tsx dev/docs/permission-table.ts`").toBe(readme);
  for (const permission of allPermissions()) expect(permissionTable()).toContain(`\`${permission}\``);
});

it("refuses a README without the table's markers", () => {
  expect(() => withPermissionTable("# no table")).toThrow(/no permission table markers/);
});
