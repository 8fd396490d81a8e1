// Run Lighthouse (mobile profile, simulated slow 4G and a 4x slower CPU) over
// pages of a served site with one Chromium, and print one JSON line per run.
//
//   node audit.mjs <base-url> <runs> <page>...
//
// CHROME_PATH names the Chromium binary (Debian: /usr/bin/chromium).  Every run
// starts from an empty cache, so "bytes" is what a first visit transfers.  The
// caller (tools/budget.py, for tests/test_page_budget.py) takes the median of the runs and decides.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [base, runsArg, ...pages] = process.argv.slice(2);
const runs = Number(runsArg);
if (!base || !(runs > 0) || pages.length === 0) {
  console.error("usage: node audit.mjs <base-url> <runs> <page>...");
  process.exit(2);
}

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

const chrome = await chromeLauncher.launch({
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
  for (const page of pages) {
    for (let run = 1; run <= runs; run++) {
      // Accessibility, best practices and SEO do not vary between runs: the
      // first run checks them, the others measure performance only.
      const categories = run === 1 ? CATEGORIES : ["performance"];
      const result = await lighthouse(
        base + page,
        { port: chrome.port, output: "json", logLevel: "error", onlyCategories: categories },
        // the default config is the mobile profile with simulated throttling
      );
      const lhr = result.lhr;
      const scores = Object.fromEntries(
        Object.entries(lhr.categories).map(([k, v]) => [k, v.score === null ? null : Math.round(v.score * 100)]),
      );
      // audits below a full score in the categories the budget asks 100 of
      const failing = [];
      for (const id of CATEGORIES.slice(1)) {
        const cat = lhr.categories[id];
        if (!cat) continue;
        for (const ref of cat.auditRefs) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
            failing.push(`${id}: ${ref.id}: ${audit.title}`);
          }
        }
      }
      const num = (id) => lhr.audits[id]?.numericValue ?? null;
      // what the bytes are: every request of a first visit, largest first
      const requests = (lhr.audits["network-requests"]?.details?.items ?? [])
        .map((r) => [r.url.replace(base, ""), r.transferSize])
        .sort((a, b) => b[1] - a[1]);
      console.log(
        JSON.stringify({
          page,
          run,
          scores,
          fcp: num("first-contentful-paint"),
          lcp: num("largest-contentful-paint"),
          tbt: num("total-blocking-time"),
          cls: num("cumulative-layout-shift"),
          bytes: num("total-byte-weight"),
          requests: run === 1 ? requests : undefined,
          // where the main thread's time goes (ms), for a page over budget
          mainThread: Object.fromEntries(
            (lhr.audits["mainthread-work-breakdown"]?.details?.items ?? [])
              .map((i) => [i.group, Math.round(i.duration)]),
          ),
          failing,
          runtimeError: lhr.runtimeError?.message ?? null,
          warnings: lhr.runWarnings,
        }),
      );
    }
  }
} finally {
  await chrome.kill();
}
