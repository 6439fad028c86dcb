/**
 * `npm run package`: the zip that Azure Functions (Flex Consumption) deploys, and nothing else in it:
 *
 *   npm run package [-- --out <file.zip>]      # default .data/package/tenant-patrol.zip
 *
 * - `dist/`: functions/ and shared/ compiled afresh (tsconfig.build.json) into a temporary folder,
 *   so a stale file in the working tree's dist/ never ships;
 * - `host.json` and `package.json` as they are (the host reads package.json "main");
 * - `node_modules/`: the production dependencies, i.e. the package-lock.json entries npm marks
 *   neither `dev` nor `devOptional` (what `npm ci --omit=dev` installs), copied from the installed
 *   node_modules after checking each one's version against the lockfile. No network, no install;
 *   `.bin/` links, TypeScript files and source maps of dependencies are left out (nothing
 *   loads them at run time).
 *
 * Entries are sorted and dated 1980-01-01, so the same tree gives the same zip byte for byte.
 * `.funcignore` describes the same selection for tools that pack the folder themselves
 * (PACKAGE_ROOT below); test/package/package.test.ts unpacks the zip in an empty folder and
 * imports its entry point.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { zipSync, type Zippable } from "fflate";
import { runCommand, UsageError } from "../../cli/command.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_OUT = path.join(REPO_ROOT, ".data/package/tenant-patrol.zip");
/** The top-level entries of the zip; `.funcignore` whitelists the same (the test checks both). */
export const PACKAGE_ROOT = ["dist/", "host.json", "package.json", "node_modules/"] as const;
/**
 * Files of a dependency that nothing loads at run time: TypeScript sources and declarations (Node
 * strips no types under node_modules) and source maps (read only with --enable-source-maps).
 */
const UNUSED_AT_RUN_TIME = /\.([cm]?ts|map)$/;
/** DOS time starts in 1980; a local-time date keeps the stored fields the same in every time zone. */
const FIXED_MTIME = new Date(1980, 0, 1);

export interface PackageOptions {
  /** Where the zip goes (its folder is created). Default: .data/package/tenant-patrol.zip. */
  readonly outFile?: string;
  /** The project to package. Default: this repository. */
  readonly root?: string;
}

export interface PackageResult {
  readonly outFile: string;
  readonly files: number;
  readonly bytes: number;
  /** Bytes before compression. */
  readonly unpackedBytes: number;
  /** Lockfile paths of the production dependencies, e.g. "node_modules/@azure/functions". */
  readonly dependencies: readonly string[];
  readonly elapsedMs: number;
}

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
}

/** The lockfile's production packages, by path ("node_modules/a", "node_modules/a/node_modules/b"). */
export function productionDependencies(lock: { readonly packages?: Record<string, LockEntry> }): [string, LockEntry][] {
  if (!lock.packages) throw new RangeError('package-lock.json has no "packages" (lockfileVersion 2 or later is needed)');
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith("node_modules/") && !entry.dev && !entry.devOptional)
    .sort(([a], [b]) => a.localeCompare(b));
}

export async function buildPackage(options: PackageOptions = {}): Promise<PackageResult> {
  const started = performance.now();
  const root = options.root ?? REPO_ROOT;
  const outFile = path.resolve(options.outFile ?? DEFAULT_OUT);
  const staging = await mkdtemp(path.join(tmpdir(), "tenant-patrol-package-"));
  try {
    const files = new Map<string, Uint8Array>();
    await compile(root, path.join(staging, "dist"));
    await addTree(files, path.join(staging, "dist"), "dist");
    for (const name of ["host.json", "package.json"]) files.set(name, await readFile(path.join(root, name)));
    const dependencies = await addDependencies(files, root);

    const main = (JSON.parse(new TextDecoder().decode(files.get("package.json"))) as { main?: string }).main;
    if (!main || !files.has(path.posix.normalize(main))) throw new Error(`package.json "main" (${main}) is not in the compiled dist/`);

    const zippable: Zippable = {};
    for (const name of [...files.keys()].sort()) zippable[name] = [files.get(name)!, { mtime: FIXED_MTIME, os: 3, attrs: 0o644 << 16 }];
    const zip = zipSync(zippable, { level: 6 });
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, zip);
    const unpackedBytes = [...files.values()].reduce((sum, data) => sum + data.byteLength, 0);
    return { outFile, files: files.size, bytes: zip.byteLength, unpackedBytes, dependencies, elapsedMs: performance.now() - started };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The production build (tsconfig.build.json) with its output redirected to `outDir`. */
async function compile(root: string, outDir: string): Promise<void> {
  const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { cwd: root });
  } catch (e) {
    const failed = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p tsconfig.build.json failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`);
  }
}

/** Every file under `dir` (following no links), stored under `prefix`; `skip` names sub-folders to leave out. */
async function addTree(
  files: Map<string, Uint8Array>,
  dir: string,
  prefix: string,
  skip: (relative: string) => boolean = () => false,
): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
    if (skip(relative)) continue;
    if (entry.isSymbolicLink()) throw new Error(`${prefix}/${relative} is a symbolic link: the package holds plain files only`);
    if (entry.isFile()) files.set(`${prefix}/${relative}`, await readFile(path.join(dir, relative)));
  }
}

async function addDependencies(files: Map<string, Uint8Array>, root: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(root, "package-lock.json"), "utf8")) as { packages?: Record<string, LockEntry> };
  const shipped: string[] = [];
  for (const [key, entry] of productionDependencies(lock)) {
    if (entry.link) throw new Error(`${key} is a link in package-lock.json: linked packages are not supported`);
    const installed = await readFile(path.join(root, key, "package.json"), "utf8").then(
      (text) => (JSON.parse(text) as { version?: string }).version,
      () => undefined,
    );
    if (installed === undefined && entry.optional) continue; // an optional package for another platform
    if (installed !== entry.version) {
      throw new Error(
        `${key}: ${installed ? `version ${installed} installed` : "not installed"}, package-lock.json says ${entry.version}; run \`npm ci\` first`,
      );
    }
    // A nested node_modules/ holds packages of their own lockfile entries (dev or production).
    await addTree(
      files,
      path.join(root, key),
      key,
      (relative) => relative === "node_modules" || relative.startsWith("node_modules/") || UNUSED_AT_RUN_TIME.test(relative),
    );
    shipped.push(key);
  }
  return shipped;
}

function parseArgs(argv: readonly string[]): PackageOptions {
  if (argv.length === 0) return {};
  if (argv.length === 2 && argv[0] === "--out" && argv[1]) return { outFile: argv[1] };
  throw new UsageError(`unexpected arguments: ${argv.join(" ")}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runCommand(
    async () => {
      if (process.argv.includes("--help")) {
        console.log("npm run package [-- --out <file.zip>]   (default .data/package/tenant-patrol.zip)");
        return;
      }
      const result = await buildPackage(parseArgs(process.argv.slice(2)));
      const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
      console.log(
        `${path.relative(process.cwd(), result.outFile)}: ${result.files} files (${result.dependencies.length} production packages), ` +
          `${mib(result.bytes)} (${mib(result.unpackedBytes)} unpacked), in ${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
    },
    { name: "package", help: "npm run package -- --help", expected: [] },
  );
}
