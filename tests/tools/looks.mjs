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
// With --member PERSON CREDENTIAL, a page whose NAME starts with "member:"
// is opened signed in as that member (through the sign-in form at the
// members' area of its URL's origin, once); every other page is opened as
// a visitor, who has signed in nowhere. The prefix is not part of the name
// reported.
//
// Usage: node looks.mjs OUT [--member PERSON CREDENTIAL] NAME=URL...
// Prints one JSON object with every measurement; judging them is the test's.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { launch } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [out, ...rest] = process.argv.slice(2);
const member = rest[0] === "--member" ? { person: rest[1], credential: rest[2] } : null;
const pages = member ? rest.slice(3) : rest;
if (!out || pages.length === 0 || (member && !member.credential)) {
  console.error("usage: node looks.mjs OUT [--member PERSON CREDENTIAL] NAME=URL...");
  process.exit(2);
}
const MEMBER = "member:";

const WIDTHS = [320, 375, 414, 1280];
const SHOT_WIDTHS = new Set([320, 375, 1280]);
const SCHEMES = ["light", "dark"];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const browser = await launch();
const report = { blocked: [], views: [], prints: [] };
// The visitor's tab and, with --member, the member's.
let visitor = null;
let signedIn = null;
try {
  visitor = await newPage();
  signedIn = member ? await signIn(await newPage()) : null;
  const tabs = signedIn ? [visitor, signedIn] : [visitor];
  for (const scheme of SCHEMES) {
    for (const tab of tabs) await tab.emulateMedia({ media: "screen", colorScheme: scheme });
    for (const width of WIDTHS) {
      for (const tab of tabs) await tab.setViewportSize({ width, height: 800 });
      for (const entry of pages) {
        const [name, url, page] = open(entry);
        await page.goto(url);
        const measured = await page.evaluate(() => {
          const header = document.querySelector("header.banner");
          const root = document.documentElement;
          return {
            header_height: header ? header.getBoundingClientRect().height : null,
            scroll_width: root.scrollWidth,
            client_width: root.clientWidth,
            background: getComputedStyle(document.body).backgroundColor,
            h1: document.querySelector("h1")?.textContent.trim() ?? null,
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
  for (const tab of tabs) {
    await tab.emulateMedia({ media: "print", colorScheme: "light" });
    await tab.setViewportSize({ width: 1280, height: 800 });
  }
  for (const entry of pages) {
    const [name, url, page] = open(entry);
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

// A page of its own browser context, so that a visitor's tab shares no
// cookie with a member's.
async function newPage() {
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
  return context.newPage();
}

// Signs in through the form as a member would, at the origin of the first
// page to be seen signed in.
async function signIn(page) {
  const first = pages.find((entry) => entry.startsWith(MEMBER));
  if (!first) throw new Error("--member was given, but no page is a member's");
  const [, url] = split(first.slice(MEMBER.length));
  await page.goto(new URL("/members/", url).href);
  await page.fill("#person", member.person);
  await page.fill("#credential", member.credential);
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  if ((await page.context().cookies()).length === 0) throw new Error("the sign-in set no cookie");
  return page;
}

// The name, the URL and the tab to open an entry in.
function open(entry) {
  if (entry.startsWith(MEMBER)) {
    if (!signedIn) throw new Error(`${entry} needs --member`);
    return [...split(entry.slice(MEMBER.length)), signedIn];
  }
  return [...split(entry), visitor];
}

function split(entry) {
  const at = entry.indexOf("=");
  return [entry.slice(0, at), entry.slice(at + 1)];
}
