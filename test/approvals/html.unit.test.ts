import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayHtml, displayText, escapeHtml, html, preformatted, trustedHtml } from "../../shared/views/html.js";

describe("shared/views/html", () => {
  it("escapes the characters that open markup or leave an attribute", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;");
  });

  it("escapes every interpolated value but not nested html or trusted constants", () => {
    const name = '<img src=x onerror=alert(1)> "Bobby" & Tables';
    const inner = html`<b>${name}</b>`;
    expect(
      html`<p title="${name}">${inner}${trustedHtml("<br>")}${[html`<i>${"<"}</i>`, ">"]}${null}${undefined}${false}${0}</p>`.toString(),
    ).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables"><b>&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables</b><br><i>&lt;</i>&gt;0</p>',
    );
  });

  it("never lets an interpolated string produce a tag or leave a quoted attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const escaped = displayHtml(value);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(html`<td title="${value}">${value}</td>`.toString()).toBe(`<td title="${escaped}">${escaped}</td>`);
      }),
    );
  });

  it("removes control and bidi characters and flattens line breaks for display", () => {
    expect(displayText("Eve\r\n\tAdmin\u202Egpj.exe\u0000\u200F")).toBe("Eve Admingpj.exe");
    expect(displayText("Zoë 山田")).toBe("Zoë 山田");
  });

  it("shows every interpolated value without control or bidi characters, in text and in attributes", () => {
    const name = "Contoso\u202Egpj.exe\r\n\u0007\u0085Ltd\u2066";
    expect(html`<p title="${name}">${name}</p>`.toString()).toBe('<p title="Contosogpj.exe Ltd">Contosogpj.exe Ltd</p>');
    expect(displayHtml(`<b>\u202E${name}</b>`)).toBe("&lt;b&gt;Contosogpj.exe Ltd&lt;/b&gt;");
  });

  it("never lets a control or bidi character through an interpolation", () => {
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        expect(html`<td>${value}</td>`.toString()).not.toMatch(unsafe);
      }),
    );
  });

  it("keeps the line breaks of preformatted text, and only those", () => {
    expect(html`<pre>${preformatted("a\u202E<b>\r\nb\tc\rd\n")}</pre>`.toString()).toBe("<pre>a&lt;b&gt;\nb c\nd\n</pre>");
  });
});
