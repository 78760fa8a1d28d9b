// A visitor's walk through the running site in headless Chromium, once on a
// phone (375 px wide) and once on a desktop (1280 px):
//   home page → "Committee" in the main navigation → a person's page →
//   their contact card (.vcf) → "Meetings" in the navigation → the calendar (.ics)
// Every step is a click on a link a visitor can see. Each page visited is
// screenshotted (full page) into SHOTS/<width>/NN-<name>.png, and no page may
// scroll sideways. Requests that leave the loopback interface are refused and
// reported: the site must stand on its own.
//
// Usage: node e2e.mjs BASE_URL SHOTS_DIR PERSON_NAME
// Prints one JSON object describing what it met; exits 1 with the reason on
// the first thing a visitor would notice to be wrong.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, walkAndReport } from "./chromium.mjs";

const [base, shots, personName] = process.argv.slice(2);
if (!base || !shots || !personName) {
  console.error("usage: node e2e.mjs BASE_URL SHOTS_DIR PERSON_NAME");
  process.exit(2);
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const WIDTHS = [375, 1280];

function fail(message) {
  throw new Error(message);
}

const browser = await launch();
const report = { blocked: [], walks: [] };
await walkAndReport("e2e", browser, report, async () => {
  for (const width of WIDTHS) {
    report.walks.push(await walk(width));
  }
});
if (report.blocked.length > 0) {
  console.error(`e2e: the site asked for ${report.blocked.length} outside resources`);
  process.exit(1);
}

async function walk(width) {
  const dir = join(shots, String(width));
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({
    viewport: { width, height: 800 },
    acceptDownloads: true,
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname) || url.protocol === "data:") {
      return route.continue();
    }
    report.blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const visited = [];
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));

  // Screenshots the page as it stands and checks what every page owes a visitor.
  async function arrived(name, path) {
    const url = new URL(page.url());
    if (url.pathname !== path) fail(`${width} px: expected to be at ${path}, at ${url.pathname}`);
    const h1 = (await page.locator("h1").first().textContent())?.trim();
    if (!h1) fail(`${width} px: ${path} has no heading`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scroll > width) fail(`${width} px: ${path} scrolls sideways (scrollWidth ${scroll})`);
    const file = join(dir, `${String(visited.length + 1).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    visited.push({ name, path, title: await page.title(), h1, screenshot: file });
  }

  // Clicks a link and returns the file it downloads, with the type it came as.
  async function download(link) {
    const [dl, response] = await Promise.all([
      page.waitForEvent("download"),
      page.waitForResponse((r) => r.url().endsWith(new URL(link.href).pathname)),
      link.locator.click(),
    ]);
    const failure = await dl.failure();
    if (failure) fail(`${width} px: downloading ${link.href} failed: ${failure}`);
    return {
      url: dl.url(),
      file_name: dl.suggestedFilename(),
      content_type: response.headers()["content-type"] ?? "",
      disposition: response.headers()["content-disposition"] ?? "",
      text: readFileSync(await dl.path(), "utf8"),
    };
  }

  async function linkNamed(scope, name) {
    const locator = scope.getByRole("link", { name, exact: true });
    if ((await locator.count()) !== 1) fail(`${width} px: ${await locator.count()} links named "${name}" on ${page.url()}`);
    return { locator, href: await locator.evaluate((a) => a.href) };
  }

  const nav = page.getByRole("navigation", { name: "Main" });

  await page.goto(base);
  await arrived("home", "/");

  await (await linkNamed(nav, "Committee")).locator.click();
  await page.waitForURL("**/committee/");
  await arrived("committee", "/committee/");

  await (await linkNamed(page.locator("main"), personName)).locator.click();
  await page.waitForURL("**/people/*/");
  const personPath = new URL(page.url()).pathname;
  await arrived("person", personPath);
  if ((await page.locator("h1").textContent()).trim() !== personName) {
    fail(`${width} px: the person's page is headed "${await page.locator("h1").textContent()}"`);
  }
  const card = await download(await linkNamed(page.locator("main"), `Add ${personName} to your contacts`));

  await (await linkNamed(nav, "Meetings")).locator.click();
  await page.waitForURL("**/meetings/");
  await arrived("meetings", "/meetings/");
  const calendar = await download(await linkNamed(page.locator("main"), "Download the meetings calendar"));

  // A download leaves the visitor where they were.
  if (new URL(page.url()).pathname !== "/meetings/") fail(`${width} px: the calendar link navigated away`);
  if (problems.length > 0) fail(`${width} px: ${problems.join("; ")}`);
  await context.close();
  return { width, visited, card, calendar };
}
