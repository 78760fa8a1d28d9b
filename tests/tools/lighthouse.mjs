// Lighthouse on each page given (NAME=URL), in Debian's Chromium, headless,
// with the mobile form factor, then on the pages named after --desktop with
// the desktop one, and Lighthouse's own (simulated) throttling. One
// Chromium serves every run, which keeps the whole round quick. Each run's
// full JSON report is written to OUT/<name>-<form factor>.json.
//
// Usage: node lighthouse.mjs OUT NAME=URL... [--desktop NAME...]
// Prints one JSON object: for every run the score of each category as
// Lighthouse shows it (0 to 100), the audits that cost points in each, and
// every request that left the loopback interface; judging them is the test's.
// A page that falls short in performance is run again, up to twice (see
// AGAIN), and every run is reported.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { CHROMIUM, FLAGS } from "./chromium.mjs";

const [out, ...rest] = process.argv.slice(2);
const cut = rest.indexOf("--desktop");
const pages = cut < 0 ? rest : rest.slice(0, cut);
const desktop = new Set(cut < 0 ? [] : rest.slice(cut + 1));
if (!out || pages.length === 0 || [...desktop].some((name) => !pages.some((p) => split(p)[0] === name))) {
  console.error("usage: node lighthouse.mjs OUT NAME=URL... [--desktop NAME...]");
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

// Performance is measured by timing the work Chromium does for the page,
// so a machine busy with other things costs a page points it does not
// deserve: the site runs no script, yet Chromium's own work to commit a
// navigation, slowed by other processes and then fourfold by the phone's
// throttling, counts as blocking time. A busy machine only ever adds time,
// so the fastest of a few runs is the one closest to what the page costs
// (Lighthouse CI's "optimistic" aggregation): a page that falls short in
// performance is run again, up to twice, until a run scores 100.
const AGAIN = 2;

const report = { runs: [] };
try {
  const port = await devtoolsPort(profile);
  for (const [formFactor, config] of FORM_FACTORS) {
    for (const entry of pages) {
      const [name, url] = split(entry);
      if (formFactor === "desktop" && !desktop.has(name)) continue;
      for (let attempt = 1; attempt <= 1 + AGAIN; attempt++) {
        const run = await audit(port, config, name, url, formFactor, attempt);
        report.runs.push(run);
        if (run.scores.performance === 100) break;
      }
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

// One Lighthouse run: the scores, the audits that cost points and the
// requests that left the machine, with the full report written to OUT.
async function audit(port, config, name, url, formFactor, attempt) {
  const result = await lighthouse(url, {
    port,
    output: "json",
    logLevel: "error",
    onlyCategories: CATEGORIES,
    // Without this Lighthouse audits nothing on a page whose status is an
    // error, and the 404 page is one. Every other page still answers for
    // its status: SEO's http-status-code audit fails on any status of 400
    // or more.
    ignoreStatusCode: true,
  }, config);
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  const { lhr } = result;
  const file = join(out, `${name}-${formFactor}${attempt > 1 ? `-${attempt}` : ""}.json`);
  writeFileSync(file, result.report);
  const scores = {};
  const failing = {};
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    // An audit costs points when it weighs in the category and did not
    // pass; those are what a reader of the report must fix.
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
  return {
    name,
    url,
    form_factor: formFactor,
    attempt,
    final_url: lhr.finalDisplayedUrl,
    runtime_error: lhr.runtimeError?.message ?? null,
    run_warnings: lhr.runWarnings,
    scores,
    failing,
    outside,
    report: file,
  };
}

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
