// Loads each HTML file given on the command line in headless Chromium, runs
// axe-core with the WCAG 2.1 A and AA rules, and checks at 375 px that the
// page does not scroll sideways. Prints every problem and exits 1 if any.
// Requests that leave file:// are refused, so a page is judged as it stands
// on disk and nothing reaches the network.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { launch } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const files = process.argv.slice(2);

const browser = await launch();
let problems = 0;
try {
  const context = await browser.newContext();
  await context.route("**/*", (route) =>
    route.request().url().startsWith("file:") ? route.continue() : route.abort());
  const page = await context.newPage();
  for (const file of files) {
    const url = pathToFileURL(file).href;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(() =>
      axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
    for (const v of result.violations) {
      problems++;
      const where = v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ");
      console.log(`${file}: ${v.id} (${v.impact}): ${v.help} at ${where}`);
    }
    await page.setViewportSize({ width: 375, height: 800 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 375) {
      problems++;
      console.log(`${file}: scrolls sideways at 375 px (scrollWidth ${width})`);
    }
  }
} finally {
  await browser.close();
}
console.log(`checked ${files.length} pages, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
