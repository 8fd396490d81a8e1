// Drop the rules of the theme's stylesheets that nothing in the built site can
// match (book/_ext/lean_pages.py runs this once per build).
//
//   node purge_css.mjs <site> <stylesheet>...
//
// A rule stays when every class, id, tag and attribute it names occurs in a page
// or in a script of the site (scripts add classes while a reader uses a page),
// or when it is on the safelist below: Bootstrap builds the names of tooltip
// and popover classes from parts, so no file spells them out.
import { writeFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const [site, ...stylesheets] = process.argv.slice(2);
if (!site || stylesheets.length === 0) {
  console.error("usage: node purge_css.mjs <site> <stylesheet>...");
  process.exit(2);
}
const results = await new PurgeCSS().purge({
  content: [`${site}/**/*.html`, `${site}/**/*.js`],
  css: stylesheets,
  safelist: { greedy: [/tooltip/, /popover/, /^bs-/, /popper/] },
});
for (const { file, css } of results) {
  writeFileSync(file, css);
}
