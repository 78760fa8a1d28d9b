// What the browser tools share: Chromium started one way, and a walk's
// report printed one way.
import { chromium } from "playwright-core";

// The system's Chromium.
export const CHROMIUM = "/usr/bin/chromium";

// Headless, with nothing of its own that reaches out to the network: the
// flags every tool starts Chromium with, whether through Playwright or, as
// Lighthouse needs it, on a DevTools port.
export const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"];

// The system's Chromium, started through Playwright.
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

// Runs `walk`, which fills `report`, then closes the browser and prints the
// report as JSON. On the first failure it prints what the walk met so far
// and the reason, named after the tool, and exits 1.
export async function walkAndReport(name, browser, report, walk) {
  try {
    await walk();
  } catch (e) {
    console.log(JSON.stringify(report, null, 2));
    console.error(`${name}: ${e.message}`);
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  console.log(JSON.stringify(report, null, 2));
}
