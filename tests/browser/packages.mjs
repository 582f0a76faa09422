// Browser test of the Packages page (Playwright + the system Chromium).
//
//   node tests/browser/packages.mjs BASE_URL EXPECT_JSON SCREENSHOT_PATH
//
// EXPECT_JSON (a JSON string, or @path to a JSON file):
//   {
//     "packages": [{"name": "rnv", "state": "ok", "collection": "f40"?}, ...],  // must be shown
//     "absent":   ["name", ...],              // must not be shown by default (e.g. untracked)
//     "untracked": ["name", ...],             // optional: shown once "Show untracked" is ticked
//     "live": [{"name": "...", "state": "failing", "collection": "f40"?}], // optional: a
//                                             // subscription event must turn the badge into this
//     "pageSize": 5,                          // optional: open /packages?size=5 (exercises the
//                                             // pager with few packages; expected rows must be on page 1)
//     "detail": {                             // optional: the package page, opened from the list
//       "name": "rnv", "collection": "f40", "state": "ok",
//       "changes": [{"dep": "gcc", "kind": "upgraded"}, ...],    // unapplied, in this order
//       "builds": [503, 502, 501],                               // task ids, newest first
//       "buildChanges": {"task": 502, "deps": ["expat", ...]},  // shown when expanded
//       "readyFile": "/tmp/x",  // written once the page is checked; the test then adds a build
//       "live": {"task": 504, "state": "failing"}  // ...which must appear without a reload
//     }
//   }
// Opens BASE_URL/packages, waits until every expected row shows its state, checks the absent
// names, clicks a collection tab and "All collections" (and the pager, when there is one),
// saves a screenshot and prints the page's console errors. Exits 1 on any mismatch, 2 on
// bad usage. Needs /usr/bin/chromium and playwright-core (node_modules).
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIMEOUT_MS = 20_000;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

class Mismatch extends Error {}

function usage(message) {
  console.error(`${message}\nusage: node tests/browser/packages.mjs BASE_URL EXPECT_JSON SCREENSHOT_PATH`);
  process.exit(2);
}

function parseExpectations(arg) {
  let expect;
  try {
    expect = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);
  } catch (e) {
    usage(`EXPECT_JSON is not valid JSON: ${e.message}`);
  }
  if (!Array.isArray(expect.packages)) usage('EXPECT_JSON needs a "packages" array');
  for (const p of [...expect.packages, ...(expect.live ?? [])]) {
    if (typeof p.name !== 'string' || typeof p.state !== 'string') {
      usage(`each expected package needs "name" and "state": ${JSON.stringify(p)}`);
    }
  }
  return {
    packages: expect.packages,
    absent: expect.absent ?? [],
    untracked: expect.untracked ?? [],
    live: expect.live ?? [],
    pageSize: Number.isInteger(expect.pageSize) ? expect.pageSize : null,
    detail: expect.detail ?? null,
  };
}

const rowSelector = (p) =>
  `tr[data-package="${p.name}"]` + (p.collection ? `[data-collection="${p.collection}"]` : '');

// Polls until `check()` returns an empty list of problems, or fails with the last list.
async function waitUntil(what, check, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let problems = [];
  while (Date.now() < deadline) {
    problems = await check();
    if (problems.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Mismatch(`${what} (after ${timeoutMs / 1000} s):\n  ${problems.join('\n  ')}`);
}

// Problems with the expected rows: missing, hidden, or in another state.
async function rowProblems(page, expected) {
  const problems = [];
  for (const p of expected) {
    const rows = page.locator(rowSelector(p));
    const count = await rows.count();
    if (count === 0) {
      problems.push(`${p.name}${p.collection ? ` (${p.collection})` : ''}: no row`);
      continue;
    }
    const states = await rows.locator('td.state').evaluateAll((tds) => tds.map((td) => td.dataset.state));
    if (!states.includes(p.state)) {
      problems.push(`${p.name}: state ${states.join('/')} instead of ${p.state}`);
    } else if (!(await rows.first().isVisible())) {
      problems.push(`${p.name}: row is not visible`);
    }
  }
  const error = page.locator('.error');
  if (await error.count()) problems.push(`page shows an error: ${(await error.innerText()).trim()}`);
  return problems;
}

async function absentProblems(page, names) {
  const problems = [];
  for (const name of names) {
    if (await page.locator(`tr[data-package="${name}"]`).count()) problems.push(`${name} is shown`);
  }
  return problems;
}

// True while the list is loading or refreshing (the old rows stay, dimmed).
async function busy(page) {
  if (await page.locator('.loading').count()) return true;
  return (await page.locator('.results[aria-busy="true"]').count()) > 0;
}

const shownRows = (page) =>
  page.locator('table.packages tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ name: tr.dataset.package, collection: tr.dataset.collection })));

// Clicks a single-collection tab, checks the list narrows to it, then goes back to "All collections".
async function checkCollectionTabs(page, expected, log) {
  const tabs = page.locator('.collection-tabs a.tab');
  await tabs.first().waitFor({ timeout: TIMEOUT_MS });
  const all = page.locator('.collection-tabs a.tab[data-collection=""]');
  if ((await all.count()) !== 1) throw new Mismatch('no "All collections" tab');
  const named = page.locator('.collection-tabs a.tab:not([data-collection=""])');
  if ((await named.count()) === 0) {
    log('no collection tabs besides "All collections"');
    return;
  }
  const tab = named.first();
  const name = await tab.getAttribute('data-collection');
  await tab.click();
  await waitUntil(`after clicking the "${name}" tab`, async () => {
    const problems = [];
    if (new URL(page.url()).searchParams.get('collection') !== name) problems.push(`URL is ${page.url()}`);
    if (!(await tab.evaluate((a) => a.classList.contains('active')))) problems.push('tab is not active');
    if (await busy(page)) problems.push('still loading');
    const rows = await shownRows(page);
    const others = rows.filter((r) => r.collection !== name);
    if (others.length) problems.push(`rows of other collections shown: ${others.map((r) => r.name).join(', ')}`);
    if (rows.length === 0 && !(await page.locator('.empty').count())) problems.push('neither rows nor "No packages"');
    return problems;
  });
  log(`tab "${name}": ${(await shownRows(page)).length} rows, all in ${name}`);
  await all.click();
  await waitUntil('after clicking "All collections"', async () => {
    const problems = [];
    if (new URL(page.url()).searchParams.has('collection')) problems.push(`URL is ${page.url()}`);
    if (await busy(page)) problems.push('still loading');
    const columns = await page.locator('table.packages th').allInnerTexts();
    const emptyList = (await page.locator('.empty').count()) > 0;
    if (!emptyList && !columns.some((c) => /collection/i.test(c))) problems.push('no Collection column');
    return problems.concat(await rowProblems(page, expected));
  });
  log('"All collections": expected rows are back');
}

// Follows "Next »" and "« Previous" when the list has more than one page.
async function checkPager(page, log) {
  const next = page.locator('a[data-pager="next"]').first();
  if ((await next.count()) === 0) {
    log('single page: no pager links to follow');
    return;
  }
  const before = (await shownRows(page)).map((r) => `${r.name}/${r.collection}`);
  await next.click();
  await waitUntil('after clicking "Next"', async () => {
    const now = (await shownRows(page)).map((r) => `${r.name}/${r.collection}`);
    const problems = [];
    if (!new URL(page.url()).searchParams.has('after')) problems.push(`URL is ${page.url()}`);
    if (await busy(page)) problems.push('still loading');
    if (now.length === 0) problems.push('no rows on the next page');
    const repeated = now.filter((r) => before.includes(r));
    if (repeated.length) problems.push(`rows repeated from page 1: ${repeated.join(', ')}`);
    return problems;
  });
  log(`pager: next page shows ${(await shownRows(page)).length} new rows`);
  await page.locator('a[data-pager="prev"]').first().click();
  await waitUntil('after clicking "Previous"', async () => {
    if (await busy(page)) return ['still loading'];
    const now = (await shownRows(page)).map((r) => `${r.name}/${r.collection}`);
    return now.join() === before.join() ? [] : [`rows ${now.join(', ')} instead of ${before.join(', ')}`];
  });
  log('pager: previous page shows the first rows again');
}

async function checkUntrackedToggle(page, names, log) {
  if (names.length === 0) return;
  await page.locator('input[data-filter="untracked"]').check();
  await waitUntil('after ticking "Show untracked"', async () => {
    const problems = (await busy(page)) ? ['still loading'] : [];
    for (const name of names) {
      if (!(await page.locator(`tr[data-package="${name}"]`).count())) problems.push(`${name} is not shown`);
    }
    return problems;
  });
  log(`"Show untracked": ${names.join(', ')} shown`);
  await page.locator('input[data-filter="untracked"]').uncheck();
  await waitUntil('after unticking "Show untracked"', async () =>
    (await busy(page)) ? ['still loading'] : absentProblems(page, names));
}

const attrs = (locator, name) => locator.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

// Opens the package page from the list and checks its dependency changes, build history,
// a build's expandable changes and (optionally) a live refresh.
async function checkDetail(page, detail, log) {
  const base = new URL(page.url()).origin;
  await page.goto(`${base}/packages`, { timeout: TIMEOUT_MS });
  const link = page.locator(`tr[data-package="${detail.name}"][data-collection="${detail.collection}"] a.package-link`);
  await link.waitFor({ timeout: TIMEOUT_MS });
  await link.click();
  await waitUntil('package page not shown', async () => {
    const problems = [];
    const url = new URL(page.url());
    if (url.pathname !== `/package/${detail.name}` || url.searchParams.get('collection') !== detail.collection) {
      problems.push(`URL is ${page.url()}`);
    }
    if (!(await page.locator('.package-detail').count())) problems.push('no package detail');
    const error = page.locator('.error');
    if (await error.count()) problems.push(`page shows an error: ${(await error.innerText()).trim()}`);
    return problems;
  });
  log(`package page: ${page.url()}`);
  await waitUntil('package details differ', async () => {
    const problems = [];
    const state = await attrs(page.locator('.package-info dd.state'), 'data-state');
    if (detail.state && state[0] !== detail.state) problems.push(`state ${state[0]} instead of ${detail.state}`);
    const rows = page.locator('[data-section="changes"] tr.dep-change');
    const deps = await attrs(rows, 'data-dep');
    const kinds = await attrs(rows, 'data-kind');
    const want = (detail.changes ?? []).map((c) => `${c.dep}:${c.kind}`).join(', ');
    const got = deps.map((d, i) => `${d}:${kinds[i]}`).join(', ');
    if (got !== want) problems.push(`dependency changes [${got}] instead of [${want}]`);
    const tasks = (await attrs(page.locator('table.builds tr.build'), 'data-task-id')).map(Number);
    if (tasks.join() !== (detail.builds ?? []).join()) problems.push(`builds [${tasks}] instead of [${detail.builds}]`);
    return problems;
  });
  log(`state, ${detail.changes?.length ?? 0} dependency changes and ${detail.builds?.length ?? 0} builds shown`);
  if (detail.buildChanges) {
    const { task, deps } = detail.buildChanges;
    const details = page.locator(`tr.build-details[data-task-id="${task}"]`);
    if (await details.isVisible()) throw new Mismatch(`build ${task}: changes shown before expanding`);
    await page.locator(`tr.build[data-task-id="${task}"] button.toggle-changes`).click();
    await waitUntil(`build ${task}: changes not shown after expanding`, async () => {
      if (!(await details.isVisible())) return ['details row hidden'];
      const got = await attrs(details.locator('tr.dep-change'), 'data-dep');
      return got.join() === deps.join() ? [] : [`changes [${got}] instead of [${deps}]`];
    });
    log(`build ${task}: ${deps.length} dependency changes shown when expanded`);
  }
  if (detail.readyFile && detail.live) {
    writeFileSync(detail.readyFile, 'ready');
    await waitUntil('live refresh not shown', async () => {
      const problems = [];
      if (!(await page.locator(`table.builds tr.build[data-task-id="${detail.live.task}"]`).count())) {
        problems.push(`build ${detail.live.task} not shown`);
      }
      const state = await attrs(page.locator('.package-info dd.state'), 'data-state');
      if (state[0] !== detail.live.state) problems.push(`state ${state[0]} instead of ${detail.live.state}`);
      return problems;
    });
    log(`live refresh: build ${detail.live.task} and state ${detail.live.state} shown without a reload`);
  }
}

async function main() {
  const [base, expectArg, screenshot] = process.argv.slice(2);
  if (!base || !expectArg || !screenshot) usage('missing arguments');
  const expect = parseExpectations(expectArg);
  const log = (line) => console.log(`[browser] ${line}`);
  const consoleErrors = [];
  const userDataDir = mkdtempSync(join(tmpdir(), 'koschei-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  let failure = null;
  try {
    const url = `${base.replace(/\/$/, '')}/packages${expect.pageSize ? `?size=${expect.pageSize}` : ''}`;
    log(`open ${url}`);
    await page.goto(url, { timeout: TIMEOUT_MS });
    await waitUntil('expected packages not shown', () => rowProblems(page, expect.packages));
    log(`${expect.packages.length} expected packages shown with their states`);
    const absent = await absentProblems(page, expect.absent);
    if (absent.length) throw new Mismatch(`packages that must be hidden are shown:\n  ${absent.join('\n  ')}`);
    log(`${expect.absent.length} absent packages are hidden`);
    if (expect.live.length) {
      await waitUntil('live update not shown', () => rowProblems(page, expect.live));
      log(`live update: ${expect.live.map((p) => `${p.name} → ${p.state}`).join(', ')}`);
    }
    await checkCollectionTabs(page, expect.live.length ? [] : expect.packages, log);
    await checkPager(page, log);
    await checkUntrackedToggle(page, expect.untracked, log);
    if (expect.detail) await checkDetail(page, expect.detail, log);
  } catch (e) {
    failure = e;
  }
  try {
    await page.waitForTimeout(300); // let the dimming of a refresh fade out
    await page.screenshot({ path: screenshot, fullPage: true });
    log(`screenshot: ${screenshot}`);
  } catch (e) {
    console.error(`[browser] screenshot failed: ${e.message}`);
  }
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  if (consoleErrors.length) {
    console.log(`[browser] ${consoleErrors.length} console error(s):`);
    for (const line of consoleErrors) console.log(`  ${line}`);
  }
  if (failure) {
    console.error(`[browser] FAIL: ${failure instanceof Mismatch ? failure.message : failure.stack}`);
    process.exit(1);
  }
  log('PASS');
}

await main();
