// Lighthouse on each page given (NAME=URL), in Debian's Chromium, headless,
// with the mobile and then the desktop form factor and Lighthouse's own
// (simulated) throttling. One Chromium serves every run, which keeps the
// whole round quick. Each run's full JSON report is written to
// OUT/<name>-<form factor>.json.
//
// Usage: node lighthouse.mjs OUT NAME=URL...
// Prints one JSON object: for every run the score of each category as
// Lighthouse shows it (0 to 100), the audits that cost points in each, and
// every request that left the loopback interface; judging them is the test's.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { CHROMIUM, FLAGS } from "./chromium.mjs";

const [out, ...pages] = process.argv.slice(2);
if (!out || pages.length === 0) {
  console.error("usage: node lighthouse.mjs OUT NAME=URL...");
  process.exit(2);
}

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
// Lighthouse's default configuration is the mobile one.
const FORM_FACTORS = [["mobile", undefined], ["desktop", desktopConfig]];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

mkdirSync(out, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "nspm-lighthouse-"));
// Lighthouse drives Chromium through a DevTools port rather than through
// Playwright, so it is started here, with the flags the other tools use.
const chromium = spawn(CHROMIUM, [
  ...FLAGS, "--disable-default-apps", "--no-first-run", "--no-default-browser-check",
  "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });
let chromiumLog = "";
chromium.stderr.on("data", (chunk) => { chromiumLog += chunk; });

const report = { runs: [] };
try {
  const port = await devtoolsPort(profile);
  for (const [formFactor, config] of FORM_FACTORS) {
    for (const entry of pages) {
      const [name, url] = split(entry);
      const result = await lighthouse(url, {
        port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
      }, config);
      if (!result) throw new Error(`lighthouse gave no result for ${url}`);
      const { lhr } = result;
      const file = join(out, `${name}-${formFactor}.json`);
      writeFileSync(file, result.report);
      const scores = {};
      const failing = {};
      for (const id of CATEGORIES) {
        const category = lhr.categories[id];
        scores[id] = category.score === null ? null : Math.round(category.score * 100);
        // An audit costs points when it weighs in the category and did
        // not pass; those are what a reader of the report must fix.
        failing[id] = category.auditRefs
          .filter((ref) => ref.weight > 0)
          .map((ref) => lhr.audits[ref.id])
          .filter((audit) => audit.score !== null && audit.score < 1)
          .map((audit) => `${audit.id} (${audit.title}${audit.displayValue ? `: ${audit.displayValue}` : ""})`);
      }
      const requests = lhr.audits["network-requests"]?.details?.items ?? [];
      const outside = requests
        .map((item) => item.url)
        .filter((href) => {
          const u = new URL(href);
          return (u.protocol === "http:" || u.protocol === "https:") && !LOOPBACK.has(u.hostname);
        });
      report.runs.push({
        name,
        url,
        form_factor: formFactor,
        final_url: lhr.finalDisplayedUrl,
        runtime_error: lhr.runtimeError?.message ?? null,
        run_warnings: lhr.runWarnings,
        scores,
        failing,
        outside,
        report: file,
      });
    }
  }
} catch (e) {
  console.error(`lighthouse: ${e.stack ?? e}\n${chromiumLog}`);
  process.exitCode = 1;
} finally {
  chromium.kill();
  await new Promise((resolve) => chromium.exitCode !== null ? resolve() : chromium.once("exit", resolve));
  rmSync(profile, { recursive: true, force: true });
}
if (process.exitCode !== 1) console.log(JSON.stringify(report, null, 2));

// The port Chromium chose for its DevTools protocol, which it writes to
// its profile once it listens.
async function devtoolsPort(dir) {
  for (let i = 0; i < 600; i++) {
    if (chromium.exitCode !== null) throw new Error(`chromium exited (${chromium.exitCode})`);
    try {
      const [port] = readFileSync(join(dir, "DevToolsActivePort"), "utf8").split("\n");
      if (port) return Number(port);
    } catch {
      // Not written yet.
    }
    await sleep(100);
  }
  throw new Error("chromium did not open its DevTools port within a minute");
}

function split(entry) {
  const at = entry.indexOf("=");
  return [entry.slice(0, at), entry.slice(at + 1)];
}
