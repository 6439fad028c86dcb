import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayText, escapeHtml, html, trustedHtml } from "../../shared/views/html.js";

describe("shared/views/html", () => {
  it("escapes the characters that open markup or leave an attribute", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;");
  });

  it("escapes every interpolated value but not nested html or trusted constants", () => {
    const name = '<img src=x onerror=alert(1)> "Bobby" & Tables';
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}${trustedHtml("<br>")}${[html`<i>${"<"}</i>`, ">"]}${null}${undefined}${false}${0}</p>`.toString()).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables"><b>&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables</b><br><i>&lt;</i>&gt;0</p>',
    );
  });

  it("never lets an interpolated string produce a tag or leave a quoted attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(html`<td title="${value}">${value}</td>`.toString()).toBe(`<td title="${escaped}">${escaped}</td>`);
      }),
    );
  });

  it("removes control and bidi characters and flattens line breaks for display", () => {
    expect(displayText("Eve\r\n\tAdmin\u202Egpj.exe\u0000\u200F")).toBe("Eve Admingpj.exe");
    expect(displayText("Zoë 山田")).toBe("Zoë 山田");
  });
});
