// How the site looks, in headless Chromium: each page given (NAME=URL) is
// opened at 320, 375, 414 and 1280 px in the light and the dark colour
// scheme; each time the header's height and whether the page scrolls
// sideways are measured and axe-core (WCAG 2.1 A and AA) is run, and at
// 320, 375 and 1280 px a full-page screenshot is written to
// OUT/<scheme>/<width>/<name>.png. Each page is also printed to an A4 PDF,
// OUT/print/<name>.pdf, after the print stylesheet's effects are measured
// (whether the navigation is hidden, which link addresses are printed).
// Requests that leave the loopback interface or file:// are refused and
// reported.
//
// Usage: node looks.mjs OUT NAME=URL...
// Prints one JSON object with every measurement; judging them is the test's.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { launch } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [out, ...pages] = process.argv.slice(2);
if (!out || pages.length === 0) {
  console.error("usage: node looks.mjs OUT NAME=URL...");
  process.exit(2);
}

const WIDTHS = [320, 375, 414, 1280];
const SHOT_WIDTHS = new Set([320, 375, 1280]);
const SCHEMES = ["light", "dark"];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const browser = await launch();
const report = { blocked: [], views: [], prints: [] };
try {
  // The site's CSP forbids every script; axe is the test's own, so the
  // context lets it in while the page is otherwise judged as served.
  const context = await browser.newContext({ bypassCSP: true });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "file:" || url.protocol === "data:" || LOOPBACK.has(url.hostname)) {
      return route.continue();
    }
    report.blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ media: "screen", colorScheme: scheme });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      for (const entry of pages) {
        const [name, url] = split(entry);
        await page.goto(url);
        const measured = await page.evaluate(() => {
          const header = document.querySelector("header.banner");
          const root = document.documentElement;
          return {
            header_height: header ? header.getBoundingClientRect().height : null,
            scroll_width: root.scrollWidth,
            client_width: root.clientWidth,
            background: getComputedStyle(document.body).backgroundColor,
          };
        });
        await page.addScriptTag({ path: axePath });
        const axe = await page.evaluate(() =>
          axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
        const violations = axe.violations.map((v) =>
          `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
        let screenshot = null;
        if (SHOT_WIDTHS.has(width)) {
          const dir = join(out, scheme, String(width));
          mkdirSync(dir, { recursive: true });
          screenshot = join(dir, `${name}.png`);
          await page.screenshot({ path: screenshot, fullPage: true });
        }
        report.views.push({ name, url, scheme, width, ...measured, violations, screenshot });
      }
    }
  }
  mkdirSync(join(out, "print"), { recursive: true });
  await page.emulateMedia({ media: "print", colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const entry of pages) {
    const [name, url] = split(entry);
    await page.goto(url);
    const measured = await page.evaluate(() => {
      const nav = document.querySelector("header nav");
      const printed = [...document.querySelectorAll("main a")]
        .filter((a) => getComputedStyle(a, "::after").content.includes(a.getAttribute("href")))
        .map((a) => a.getAttribute("href"));
      return { nav_shown: nav ? getComputedStyle(nav).display !== "none" : false, printed };
    });
    const pdf = join(out, "print", `${name}.pdf`);
    await page.pdf({ path: pdf, format: "A4", printBackground: true });
    report.prints.push({ name, url, ...measured, pdf });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report, null, 2));

function split(entry) {
  const at = entry.indexOf("=");
  return [entry.slice(0, at), entry.slice(at + 1)];
}
