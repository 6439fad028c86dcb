import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every relative link in the README and under docs/ points at a file of the repository that exists,
 * and a `#anchor` into a markdown file names one of its headings (GitHub's slugs). External links
 * are not fetched; links that leave the repository (team material beside it) are not checked.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith(".md") ? [full] : [];
  });
}

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
  for (const match of readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1] ?? "");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

const FILES = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];

describe("documentation links", () => {
  it("finds the runbook", () => {
    expect(FILES.map((f) => path.relative(ROOT, f))).toContain(path.join("docs", "runbook", "README.md"));
  });

  it.each(FILES.map((f) => [path.relative(ROOT, f), f] as const))("%s: every relative link resolves", (_name, file) => {
    const problems: string[] = [];
    for (const match of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [pathPart = "", anchor] = target.split("#");
      const resolved = pathPart === "" ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
      if (path.relative(ROOT, resolved).startsWith("..")) continue; // outside the repository (team material): not in a clone
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
