import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isOutsideRepository, repositoryFiles, ROOT } from "./repository-files.js";

/**
 * Nothing in the repository refers to a path outside it: no relative path that climbs above the
 * root (the team's catalog and notes used to sit beside it, as `../shared/…`) and no absolute path
 * into a build machine's work folder. What the code relies on lives in docs/ and is linked relatively;
 * an input kept elsewhere is described by where to get it (a URL, a command argument).
 */

/** `../` steps and the path they lead to; resolved from the folder of the file that holds them. */
const CLIMBING_PATH = /(?:\.\.\/)+[\w.@-]*(?:\/[\w.@-]+)*/g;
/** The build machine's work folder, not as part of a URL or of a longer path. */
const MACHINE_PATH = /(?<![\w.:/-])\/work\/[\w.@/-]*/g;

/** `line: path: why` for each path in `text` (the content of `file`, relative to ROOT) that leaves the repository. */
function outsidePaths(file: string, text: string): string[] {
  const line = (index: number) => text.slice(0, index).split("\n").length;
  const climbing = [...text.matchAll(CLIMBING_PATH)]
    .filter((match) => isOutsideRepository(path.resolve(ROOT, path.dirname(file), match[0])))
    .map((match) => `${line(match.index)}: ${match[0]}: climbs out of the repository`);
  const machine = [...text.matchAll(MACHINE_PATH)].map((match) => `${line(match.index)}: ${match[0]}: an absolute path on a build machine`);
  return [...climbing, ...machine];
}

/** Text files only: a NUL byte marks a binary one. */
function textOf(file: string): string | undefined {
  const content = readFileSync(path.join(ROOT, file));
  return content.includes(0) ? undefined : content.toString("utf8");
}

describe("paths outside the repository", () => {
  it("appear in no file of the repository", () => {
    const problems = repositoryFiles().flatMap((file) => {
      const text = textOf(file);
      return text === undefined ? [] : outsidePaths(file, text).map((problem) => `${file}:${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it("are found: the team's catalog beside the repository, a build machine's folder", () => {
    // Spelled in pieces so that this file does not hold the very path it looks for.
    const machinePath = ["", "work", "shared", "reference", "graph-facts.md"].join("/");
    expect(outsidePaths("README.md", "Rules are in [CONTROLS.md](../shared/CONTROLS.md).")).toEqual([
      "1: ../shared/CONTROLS.md: climbs out of the repository",
    ]);
    expect(outsidePaths("dev/simulator/README.md", `\nWire behaviour follows \`${machinePath}\`;`)).toEqual([
      `2: ${machinePath}: an absolute path on a build machine`,
    ]);
  });

  it("are not confused with paths inside it or with URLs", () => {
    expect(outsidePaths("test/docs/x.test.ts", `import { runIdAt } from "../../shared/storage/keys.js";`)).toEqual([]);
    expect(outsidePaths("cli/tenants.ts", `import { loadSettings } from "../shared/config/settings.js";`)).toEqual([]);
    expect(outsidePaths("docs/reference/x.md", "[catalog](../controls.md), https://example.com/work/items")).toEqual([]);
  });
});
