// Module resolution hook (runs off the main thread). `@azure/functions` imported by the package
// resolves to ./recorder.mjs, which re-exports the real package and replaces only `app`. The real
// package is resolved first, from the importing file, so a package without it still fails; its URL
// travels to the recorder in the query string.
import { URL } from "node:url";

const RECORDER = new URL("./recorder.mjs", import.meta.url).href;
let real;

export async function resolve(specifier, context, nextResolve) {
  if (specifier !== "@azure/functions") return nextResolve(specifier, context);
  if (context.parentURL?.startsWith(RECORDER)) return { url: real, shortCircuit: true };
  real = (await nextResolve(specifier, context)).url;
  return { url: `${RECORDER}?real=${encodeURIComponent(real)}`, shortCircuit: true };
}
