// A member's walk through the members' area in headless Chromium: the
// sign-in form at /members/, the directory, a search, a person's page and
// their card, then sign-out. Prints one JSON object with what it met; the
// session cookie's flags are read from the browser, never its value.
//
// Usage: node members.mjs BASE_URL PERSON_ID CREDENTIAL SEARCH
import { readFileSync } from "node:fs";
import { launch, walkAndReport } from "./chromium.mjs";

const [base, person, credential, search] = process.argv.slice(2);
if (!base || !person || !credential || !search) {
  console.error("usage: node members.mjs BASE_URL PERSON_ID CREDENTIAL SEARCH");
  process.exit(2);
}
const browser = await launch();
const report = {};
const main = async (page) => (await page.locator("main").textContent()).replace(/\s+/g, " ");
const h1 = async (page) => (await page.locator("h1").first().textContent()).trim();
await walkAndReport("members", browser, report, async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const first = await page.goto(`${base}members/`);
  report.first = { status: first.status(), h1: await h1(page) };
  await page.fill("#person", person);
  await page.fill("#credential", credential);
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  report.directory = { path: new URL(page.url()).pathname, h1: await h1(page), text: await main(page) };
  const cookie = (await context.cookies()).find((c) => c.name === "nspm_session");
  report.cookie = cookie && {
    httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite,
    path: cookie.path, expires: cookie.expires,
  };
  report.cookie_seen_by_script = await page.evaluate(() => document.cookie.includes("nspm_session"));
  await page.fill("#q", search);
  await Promise.all([page.waitForNavigation(), page.click("form[role=search] button")]);
  report.search = { url: page.url(), h1: await h1(page), text: await main(page) };
  await Promise.all([page.waitForNavigation(), page.click("main ul.people a >> nth=0")]);
  report.person = { path: new URL(page.url()).pathname, h1: await h1(page), text: await main(page) };
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("main a[href$='.vcf']"),
  ]);
  report.card = { file_name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
  await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
  report.signed_out = {
    h1: await h1(page),
    cookies: (await context.cookies()).map((c) => c.name),
  };
});
