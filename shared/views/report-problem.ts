/** Why a report page cannot be shown (sign-in, role, a bad query), with the one thing to do next. */
import { html } from "./html.js";
import { renderPage, type RenderedPage, type Tone } from "./layout.js";

export interface ReportProblem {
  readonly tone: Tone;
  readonly title: string;
  readonly message: string;
  /** A link that resolves it, e.g. sign in. */
  readonly action?: { readonly href: string; readonly label: string };
}

export function reportProblemPage(problem: ReportProblem): RenderedPage {
  const body = html`<section class="card" aria-labelledby="title">
<div class="banner tone-${problem.tone}" role="alert"><div><h1 id="title">${problem.title}</h1><p>${problem.message}</p></div></div>
${problem.action && html`<p><a class="btn btn-primary" href="${problem.action.href}">${problem.action.label}</a></p>`}
</section>`;
  return renderPage({ title: problem.title, section: "Reports", body });
}
