import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";

/** The repository's root folder. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Every file of the repository's working tree, relative to ROOT: the tracked ones and the new ones
 * git does not ignore, so a check sees a file before it is committed (never node_modules or .data).
 */
export function repositoryFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  const files = new Set(
    listed.split("\0").filter((file) => file !== "" && statSync(path.join(ROOT, file), { throwIfNoEntry: false })?.isFile()),
  );
  return [...files].sort();
}

/** True when an absolute path is not inside the repository (a clone would not have it). */
export function isOutsideRepository(absolutePath: string): boolean {
  const relative = path.relative(ROOT, absolutePath);
  return relative.startsWith("..") || path.isAbsolute(relative);
}
