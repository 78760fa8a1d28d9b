// Screenshots each page's QR code as Chromium draws it, for zbarimg to read
// (tests/it/site.rs): the page is opened at a phone's width and the
// figure's image is shot alone, scaled as the page scales it.
//
// Usage: node qr.mjs OUT_DIR PAGE.html...
// Writes OUT_DIR/N.png for the Nth page given and prints one line per page:
// N, a tab and the page's file; exits 1 when a page has no QR code.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launch } from "./chromium.mjs";

const [out, ...pages] = process.argv.slice(2);
if (!out || pages.length === 0) {
  console.error("usage: node qr.mjs OUT_DIR PAGE.html...");
  process.exit(2);
}
const browser = await launch();
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  for (const [i, file] of pages.entries()) {
    await page.goto(pathToFileURL(file).href);
    const image = page.locator("figure.qr img");
    if ((await image.count()) !== 1) {
      console.error(`qr: ${file} has no QR code`);
      failed = true;
      continue;
    }
    await image.screenshot({ path: join(out, `${i}.png`) });
    console.log(`${i}\t${file}`);
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
