// Typeset TeX to MathJax CHTML once, at build time (book/_ext/prerender_math.py).
//
// stdin:  {"mathjax": "<node_modules>/mathjax", "formulas": [{"tex": "...", "display": true}, ...]}
// stdout: {"html": ["<mjx-container ...>", ...], "css": "...", "errors": [[i, "message"], ...]}
//
// MathJax is the one pinned in package-lock.json.  Each formula keeps its
// hidden MathML (mjx-assistive-mml) for screen readers; the stylesheet covers
// every formula of the batch and points at the fonts under "fonts/".
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(0, "utf8"));
const { default: MathJax } = await import(
  pathToFileURL(`${request.mathjax}/node-main.mjs`).href
);

await MathJax.init({
  loader: { load: ["input/tex", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"] },
  // an undefined macro is an error (not red text that nobody sees at build time)
  tex: { packages: { "[-]": ["noundefined"] } },
  chtml: { fontURL: "fonts", adaptiveCSS: true },
  output: { font: "mathjax-newcm", displayOverflow: "scroll" },
});

const adaptor = MathJax.startup.adaptor;
const html = [];
const errors = [];
for (const [i, { tex, display }] of request.formulas.entries()) {
  const node = await MathJax.tex2chtmlPromise(tex, { display });
  const out = adaptor.outerHTML(node);
  const error = out.match(/data-mjx-error="([^"]*)"/);
  if (error) errors.push([i, error[1]]);
  html.push(out);
}
const css = adaptor.textContent(MathJax.chtmlStylesheet());
process.stdout.write(JSON.stringify({ html, css, errors }));
