import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isOutsideRepository, repositoryFiles, ROOT } from "./repository-files.js";

/**
 * Every relative link in the repository's markdown (README, docs/, the controls' rationale, the
 * READMEs under dev/ and bench/) points at a file of the repository that exists, and a `#anchor`
 * into a markdown file names one of its headings (GitHub's slugs). External links are not fetched;
 * a link that leaves the repository is an error: a clone does not have what it points at.
 */

/** Text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of readFileSync(file, "utf8")
    .replace(/^```[\s\S]*?^```/gm, "")
    .matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1] ?? "");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

const FILES = repositoryFiles()
  .filter((file) => file.endsWith(".md"))
  .map((file) => path.join(ROOT, file));

describe("documentation links", () => {
  it("finds the README, the runbook, the control catalog and the reference notes", () => {
    expect(FILES.map((f) => path.relative(ROOT, f))).toEqual(
      expect.arrayContaining([
        "README.md",
        "docs/runbook/README.md",
        "docs/controls.md",
        "docs/reference/graph-facts.md",
        "docs/reference/assessors.md",
      ]),
    );
  });

  it.each(FILES.map((f) => [path.relative(ROOT, f), f] as const))("%s: every relative link resolves", (_name, file) => {
    const problems: string[] = [];
    for (const match of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [pathPart = "", anchor] = target.split("#");
      const resolved = pathPart === "" ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
      if (isOutsideRepository(resolved)) {
        problems.push(`${target}: outside the repository`);
        continue;
      }
      if (!existsSync(resolved)) {
        problems.push(`${target}: no such file`);
        continue;
      }
      if (anchor && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) problems.push(`${target}: no heading #${anchor}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("slug", () => {
  it("follows GitHub's anchors", () => {
    expect(slug("Graph permissions (application, least privilege)")).toBe("graph-permissions-application-least-privilege");
    expect(slug("`npm run sweep` contract")).toBe("npm-run-sweep-contract");
    expect(slug("2.3 Declare the Graph application permissions")).toBe("23-declare-the-graph-application-permissions");
  });
});
