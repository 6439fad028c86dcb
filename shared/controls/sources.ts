/**
 * Reading snapshot sources, and three-valued answers ("proven", "disproven", "could not read")
 * for questions whose data may be partly unreadable.
 */
import type { Unreadable } from "../model/evidence.js";
import type { Source } from "../model/snapshot.js";

type Failed = Extract<Source<unknown>, { ok: false }>;

export function unreadable(source: string, failed: Failed): Unreadable {
  return {
    source,
    reason: failed.reason,
    message: failed.message,
    ...(failed.code === undefined ? {} : { code: failed.code }),
  };
}

/** A keyed source the collectors did not record at all: treated as an `error`. */
export function notCollected(source: string): Unreadable {
  return { source, reason: "error", message: "not collected" };
}

type Sources = Readonly<Record<string, Source<unknown>>>;
type DataOf<S> = S extends { readonly ok: true; readonly data: infer T } ? T : never;

export type Read<R extends Sources> =
  | { readonly ok: true; readonly data: { readonly [K in keyof R]: DataOf<R[K]> } }
  | { readonly ok: false; readonly unreadable: readonly Unreadable[] };

/** The data of every named source, or every source that failed (in the order given). */
export function readSources<R extends Sources>(sources: R): Read<R> {
  const entries = Object.entries(sources);
  const failed = entries.flatMap(([name, source]) => (source.ok ? [] : [unreadable(name, source)]));
  if (failed.length > 0) return { ok: false, unreadable: failed };
  const data = Object.fromEntries(entries.map(([name, source]) => [name, source.ok ? source.data : undefined]));
  return { ok: true, data: data as { readonly [K in keyof R]: DataOf<R[K]> } };
}

/** Three-valued answer: true, false, or not provable because these sources were unreadable. */
export type Proof = boolean | { readonly unreadable: readonly Unreadable[] };

function unproven(proof: Proof): readonly Unreadable[] {
  return typeof proof === "boolean" ? [] : proof.unreadable;
}

/** true if any is true; else unproven if any is unproven; else false. */
export function anyOf(proofs: Iterable<Proof>): Proof {
  const failed: Unreadable[] = [];
  for (const proof of proofs) {
    if (proof === true) return true;
    failed.push(...unproven(proof));
  }
  return failed.length > 0 ? { unreadable: failed } : false;
}

/** `a && !b`, three-valued. */
export function andNot(a: Proof, b: Proof): Proof {
  if (a === false || b === true) return false;
  if (a === true && b === false) return true;
  return { unreadable: [...unproven(a), ...unproven(b)] };
}

/** A question about a source's data, unproven when the source failed or was not collected. */
export function proveFrom<T>(name: string, source: Source<T> | undefined, predicate: (data: T) => Proof): Proof {
  if (source === undefined) return { unreadable: [notCollected(name)] };
  return source.ok ? predicate(source.data) : { unreadable: [unreadable(name, source)] };
}
