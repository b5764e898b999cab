// The widget in a real browser: Debian's Chromium driven by playwright-core
// against the real urbisd (--http) serving an index of corpus/. Screenshots
// go to $URBIS_ARTIFACTS. run.sh skips (77) when node, the module or
// Chromium is missing.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const indexer = need("URBIS_INDEXER");
const urbisd = need("URBISD");
const corpus = need("URBIS_CORPUS");
const artifacts = need("URBIS_ARTIFACTS");
const browserPath = process.env.URBIS_CHROMIUM || "/usr/bin/chromium";

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startDaemon(dir) {
  const index = path.join(dir, "index");
  try {
    execFileSync(indexer, [corpus, index, "--quiet"], { stdio: "inherit" });
  } catch (e) {
    if (e.status !== 1) throw e; // 1: some files were skipped
  }
  const [lp, hp] = [await freePort(), await freePort()];
  const log = fs.openSync(path.join(artifacts, "urbisd.log"), "w");
  const proc = spawn(urbisd, ["--index", index, "--listen", `127.0.0.1:${lp}`,
    "--http", `127.0.0.1:${hp}`, "--threads", "2", "--query-timeout-ms", "30000"],
    { stdio: ["ignore", log, log] });
  const base = `http://127.0.0.1:${hp}`;
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error("urbisd exited; see urbisd.log");
    try {
      // Also warms the workers (stemmers, spelling) before the clock matters.
      if ((await fetch(`${base}/search?q=refugee+housng&limit=1`)).ok) return { proc, base };
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error("urbisd did not answer over HTTP");
}

const shot = (page, name) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

async function englishWithTypo(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  let suggestCalls = 0;
  page.on("request", (r) => { if (r.url().includes("/suggest?")) suggestCalls++; });
  await page.goto(`${base}/`);
  const box = page.getByRole("combobox");
  await box.click();
  const typed = "refugee hou";
  await box.pressSequentially(typed, { delay: 30 });
  const list = page.getByRole("listbox");
  await list.waitFor({ state: "visible" });
  // "refugee housing" and phrases that continue it ("refugee housing market").
  await page.getByRole("option", { name: /refugee housing/ }).first().waitFor();
  // Debounced: far fewer requests than keystrokes.
  assert.ok(suggestCalls >= 1 && suggestCalls < typed.length / 2,
            `suggest requests: ${suggestCalls}`);
  assert.equal(await box.getAttribute("aria-expanded"), "true");
  await shot(page, "en-suggestions");

  // Keyboard: the arrow marks an option as active, Escape closes the list.
  await box.press("ArrowDown");
  const active = await box.getAttribute("aria-activedescendant");
  assert.ok(active);
  assert.equal(await page.locator(`#${active}`).getAttribute("aria-selected"), "true");
  await box.press("Escape");
  await list.waitFor({ state: "hidden" });
  assert.equal(await box.inputValue(), typed);

  // A typo: corrected results, with highlighted snippets.
  await box.fill("");
  await box.pressSequentially("refugee housng", { delay: 30 });
  await page.locator(".urbis-corrected").waitFor();
  assert.equal(await page.locator(".urbis-corrected").textContent(), "refugee housing");
  await page.locator(".urbis-hit").first().waitFor();
  assert.ok((await page.locator(".urbis-hit").count()) >= 3);
  assert.ok((await page.locator(".urbis-snippet b").count()) > 0);
  await shot(page, "en-corrected");

  // A facet: Spain only.
  const es = page.locator(".urbis-facet[data-field=country] input[value=ES]");
  const esCount = Number((await es.locator("xpath=..").textContent()).match(/\((\d+)\)/)[1]);
  assert.ok(esCount >= 1);
  await es.check();
  await page.waitForFunction((n) => {
    const hits = [...document.querySelectorAll(".urbis-hit")];
    return hits.length === n && hits.every((h) => / ES( |$)/.test(h.querySelector(".urbis-meta").textContent));
  }, esCount);
  assert.ok(await page.locator(".urbis-facet[data-field=country] input[value=ES]").isChecked());
  await shot(page, "en-facet-es");

  // The other countries keep their counts: add Portugal (ES or PT).
  const pt = page.locator(".urbis-facet[data-field=country] input[value=PT]");
  await pt.waitFor();
  const ptCount = Number((await pt.locator("xpath=..").textContent()).match(/\((\d+)\)/)[1]);
  assert.ok(ptCount >= 1);
  await pt.check();
  await page.waitForFunction((n) => {
    const hits = [...document.querySelectorAll(".urbis-hit")];
    return hits.length === n &&
      hits.every((h) => / (ES|PT)( |$)/.test(h.querySelector(".urbis-meta").textContent));
  }, esCount + ptCount);
  await shot(page, "en-facet-es-pt");

  // Open a report.
  const title = await page.locator(".urbis-title").first().textContent();
  await page.locator(".urbis-title").first().click();
  await page.locator(".urbis-report h2").waitFor();
  assert.equal(await page.locator(".urbis-report h2").textContent(), title);
  assert.ok((await page.locator(".urbis-report p").allTextContents()).join(" ").length > 200);
  await shot(page, "en-report");
  await page.close();
}

async function arabic(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, locale: "ar" });
  await page.goto(`${base}/`);
  const box = page.getByRole("combobox");
  await box.click();
  await box.pressSequentially("اللاج", { delay: 40 });
  await page.getByRole("option", { name: /اللاجئين/ }).waitFor();
  assert.equal(await box.evaluate((e) => getComputedStyle(e).direction), "rtl");
  await shot(page, "ar-suggestions");
  // Pick the suggestion with the keyboard.
  let picked = "";
  for (let i = 0; i < 6 && !picked; i++) {
    await box.press("ArrowDown");
    const id = await box.getAttribute("aria-activedescendant");
    const text = await page.locator(`#${id} .urbis-s-text`).textContent();
    if (text === "اللاجئين") picked = text;
  }
  assert.equal(picked, "اللاجئين");
  await box.press("Enter");
  assert.equal(await box.inputValue(), "اللاجئين");
  await page.locator(".urbis-hit").first().waitFor();
  const hits = page.locator(".urbis-hit");
  assert.ok((await hits.count()) >= 2);
  // The list may still be re-rendered by the last suggestion's search:
  // wait for the settled one. The Arabic reports lead, right to left; the
  // thesaurus adds other languages' reports after them, each laid out in
  // its own direction.
  await page.waitForFunction(() => {
    const hs = [...document.querySelectorAll(".urbis-hit")];
    const rtl = (e) => getComputedStyle(e).direction === "rtl";
    return hs.length >= 2 && hs.slice(0, 2).every((e) => e.getAttribute("lang") === "ar") &&
           hs.every((e) => rtl(e) === (e.getAttribute("lang") === "ar"));
  }, null, { timeout: 5000 });
  assert.ok((await page.locator(".urbis-snippet b").count()) > 0);
  // The language facet counts the Arabic reports.
  const ar = page.locator(".urbis-facet[data-field=lang] input[value=ar]");
  assert.match(await ar.locator("xpath=..").textContent(), /\(\d+\)/);
  await shot(page, "ar-results");
  await page.locator(".urbis-title").first().click();
  await page.locator(".urbis-report h2").waitFor();
  assert.equal(await page.locator(".urbis-report").getAttribute("dir"), "rtl");
  await shot(page, "ar-report");
  await page.close();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "urbis-browser-"));
fs.mkdirSync(artifacts, { recursive: true });
let daemon, browser, failed = false;
try {
  daemon = await startDaemon(dir);
  browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
  for (const [name, fn] of [["english with a typo", englishWithTypo], ["arabic", arabic]]) {
    try {
      await fn(browser, daemon.base);
      console.log(`PASS ${name}`);
    } catch (e) {
      failed = true;
      console.error(`FAIL ${name}: ${e.stack || e}`);
    }
  }
} catch (e) {
  failed = true;
  console.error(`FAIL setup: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  if (daemon) {
    daemon.proc.kill("SIGTERM");
    await new Promise((r) => (daemon.proc.exitCode !== null ? r() : daemon.proc.on("exit", r)));
    if (daemon.proc.exitCode !== 0) {
      failed = true;
      console.error(`urbisd exited ${daemon.proc.exitCode}; see urbisd.log`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`screenshots in ${artifacts}`);
process.exit(failed ? 1 : 0);
