import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The README's architecture section describes the layers as `npm run layers` enforces them
 * (LAYERS in .dependency-cruiser.mjs), and every folder under shared/ has its place there, also one
 * that nothing imports yet (dependency-cruiser only sees folders through their imports).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const { LAYERS } = (await import(pathToFileURL(path.join(ROOT, ".dependency-cruiser.mjs")).href)) as {
  LAYERS: readonly (readonly string[])[];
};
const topFirst = [...LAYERS].reverse();

function architectureBlocks(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Architecture"));
  return [...section.matchAll(/^```\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "");
}

describe("the layers of shared/", () => {
  it("are every folder under shared/, each on one row", () => {
    const folders = readdirSync(path.join(ROOT, "shared"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect([...LAYERS.flat()].sort()).toEqual(folders.sort());
  });

  it("are listed in the README's architecture section, top first, in the order the check enforces", () => {
    const [order] = architectureBlocks();
    expect(order?.trim().split("\n")).toEqual(topFirst.map((row) => row.join(" · ")));
  });

  it("are described in the README's folder tree in the same order", () => {
    const tree = (architectureBlocks()[1] ?? "").split("\n");
    const below = tree.slice(tree.findIndex((line) => line.startsWith("shared/")) + 1);
    const shared = below.slice(
      0,
      below.findIndex((line) => !line.startsWith(" ")),
    );
    const described = shared.flatMap((line) => /^ {2}([a-z-]+)\/ /.exec(line)?.[1] ?? []);
    expect(described).toEqual(topFirst.flat());
  });
});
