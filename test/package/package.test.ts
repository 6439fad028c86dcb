/**
 * The zip `npm run package` builds (dev/package/package.ts), unpacked into an empty folder outside
 * the repository with nothing installed: its entry point registers every function of the table,
 * from its own files and production dependencies alone. A production import of a devDependency or
 * a file missing from the zip fails the import here, not in Azure.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, PACKAGE_ROOT, productionDependencies, REPO_ROOT, type PackageResult } from "../../dev/package/package.js";
import { FUNCTIONS, STORAGE_CONNECTION, type FunctionDefinition } from "../../functions/registry.js";
import { loadSettings } from "../../shared/config/settings.js";
import * as approvalsMessage from "../../shared/queue/approvals-message.js";
import * as scanMessage from "../../shared/queue/scan-message.js";

const REGISTER_RECORDER = fileURLToPath(new URL("./functions-recorder/register.mjs", import.meta.url));
const readJson = async <T>(file: string) => JSON.parse(await readFile(file, "utf8")) as T;

interface Recording {
  /** Where the unpacked package's own `@azure/functions` resolved (the recorder re-exports it). */
  readonly package: string | null;
  readonly calls: readonly { readonly method: string; readonly args: readonly unknown[] }[];
}

/** The call functions/index.ts makes for a table entry, handlers written as "function". */
function expectedCall(definition: FunctionDefinition): { method: string; args: unknown[] } {
  switch (definition.trigger) {
    case "timer":
      return { method: "timer", args: [definition.name, { schedule: definition.schedule, handler: "function" }] };
    case "queue":
      return {
        method: "storageQueue",
        args: [definition.name, { queueName: definition.queueName, connection: STORAGE_CONNECTION, handler: "function" }],
      };
    case "http":
      return {
        method: "http",
        args: [
          definition.name,
          { route: definition.route, methods: [...definition.methods], authLevel: definition.authLevel, handler: "function" },
        ],
      };
  }
}

let work: string;
let appDir: string;
let result: PackageResult;
let files: Record<string, Uint8Array>;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tenant-patrol-package-test-"));
  result = await buildPackage({ outFile: path.join(work, "tenant-patrol.zip") });
  files = unzipSync(await readFile(result.outFile));
  appDir = path.join(work, "app");
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(appDir, name)), { recursive: true });
    await writeFile(path.join(appDir, name), data);
  }
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("npm run package", () => {
  it("holds dist/, host.json, package.json and the production dependencies, nothing else", async () => {
    const topLevel = new Set(Object.keys(files).map((name) => (name.includes("/") ? `${name.split("/")[0]}/` : name)));
    expect([...topLevel].sort()).toEqual([...PACKAGE_ROOT].sort());
    for (const name of ["host.json", "package.json"])
      expect(Buffer.from(files[name]!).equals(await readFile(path.join(REPO_ROOT, name)))).toBe(true);

    const lock = await readJson<Parameters<typeof productionDependencies>[0]>(path.join(REPO_ROOT, "package-lock.json"));
    const production = new Set(productionDependencies(lock).map(([key]) => key));
    const packagedDirs = new Set(
      Object.keys(files).flatMap((name) =>
        name.endsWith("/package.json") && name.startsWith("node_modules/") ? [path.posix.dirname(name)] : [],
      ),
    );
    // Every production package is there, and every package.json under node_modules/ belongs to one
    // (a package may hold package.json files of its own sub-folders, e.g. dist/esm/package.json).
    for (const key of production) expect(packagedDirs, `missing ${key}`).toContain(key);
    for (const dir of packagedDirs)
      expect(
        [...production].some((key) => dir === key || dir.startsWith(`${key}/`)),
        `not a production package: ${dir}`,
      ).toBe(true);
    expect(Object.keys(files).filter((name) => name.startsWith("node_modules/.bin/"))).toEqual([]);
  });

  it("registers every function of the table with its trigger, route, methods, auth level, queue and schedule, from its own files alone", async () => {
    const recordFile = path.join(work, "functions.json");
    const manifest = await readJson<{ main: string }>(path.join(appDir, "package.json"));
    const entry = pathToFileURL(path.join(appDir, manifest.main)).href;
    // A bare environment: no NODE_OPTIONS or loaders inherited from vitest/tsx, nothing from the repository.
    const env = { PATH: process.env.PATH ?? "", FUNCTIONS_RECORD_FILE: recordFile };
    try {
      await promisify(execFile)(
        process.execPath,
        ["--import", pathToFileURL(REGISTER_RECORDER).href, "--input-type=module", "-e", `await import(${JSON.stringify(entry)})`],
        {
          cwd: appDir,
          env,
          timeout: 30_000,
        },
      );
    } catch (e) {
      const failed = e as { stderr?: string; message: string };
      throw new Error(`importing the packaged entry point failed:\n${failed.stderr || failed.message}`);
    }
    const recording = await readJson<Recording>(recordFile);

    // The real @azure/functions came from the package's own node_modules.
    expect(recording.package).toBe(pathToFileURL(path.join(appDir, "node_modules/@azure/functions/dist/azure-functions.js")).href);
    expect(recording.calls).toEqual(FUNCTIONS.map(expectedCall));

    // Every queue the code names has a function listening on it, on the host's storage connection.
    const queueNames = Object.entries({ ...scanMessage, ...approvalsMessage }).flatMap(([name, value]) =>
      name.endsWith("_QUEUE") && typeof value === "string" ? [value] : [],
    );
    const listened = recording.calls
      .filter((call) => call.method === "storageQueue")
      .map((call) => (call.args[1] as { queueName: string }).queueName);
    expect(queueNames.length).toBeGreaterThan(0);
    for (const queue of queueNames) expect(listened, `no function listens on ${queue}`).toContain(queue);

    // A timer's schedule is an app setting (%NAME%) that the settings schema reads.
    for (const call of recording.calls.filter((c) => c.method === "timer")) {
      const schedule = (call.args[1] as { schedule: string }).schedule;
      const setting = /^%(\w+)%$/.exec(schedule)?.[1];
      expect(setting, `${String(call.args[0])}: schedule ${schedule} is not an app setting`).toBeDefined();
      expect(JSON.stringify(loadSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true", [setting!]: "0 17 4 * * *" }))).toContain(
        "0 17 4 * * *",
      );
    }
  });

  it(".funcignore keeps exactly the package's top-level entries for tools that pack the folder themselves", async () => {
    const rules = (await readFile(path.join(REPO_ROOT, ".funcignore"), "utf8"))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    expect(rules).toEqual(["/*", ...PACKAGE_ROOT.map((entry) => `!/${entry}`)]);
  });
});
