// browser.js REPORT.html OUTDIR EXPECT.json — opens an `arbiter report` in a
// headless Chromium (Debian's, driven by playwright-core from the set-up's
// cache) and checks it: no console errors, every chart's canvas drew,
// the overview's totals equal EXPECT's (computed from the findings file by
// the caller), and a drill-down fills its table.  Writes OUTDIR/report.png.
// Prints "ok ..." / "FAIL ..." lines; exits 1 on a failure.
'use strict';
const path = require('path');
const fs = require('fs');
const cache = process.env.ARB_WEB_CACHE || path.join(process.env.HOME, '.cache/arbiter-web');
const { chromium } = require(path.join(cache, 'node_modules/playwright-core'));
const [html, outdir, expectPath] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectPath, 'utf8'));
let failed = 0;
const ok = (m) => console.log('ok ' + m);
const bad = (m) => { console.log('FAIL ' + m); failed++; };
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push('fetched ' + r.url()); });
  await page.goto('file://' + path.resolve(html));
  await page.waitForFunction(() => window.__reportReady === true, null, { timeout: 20000 });
  // every chart drew: a canvas with pixels that are not all the same
  const charts = await page.evaluate(() => Array.from(document.querySelectorAll('.chart')).map((div) => {
    const c = div.querySelector('canvas');
    if (!c || !c.width || !c.height) return { id: div.id, drawn: false };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) painted++;
    return { id: div.id, drawn: painted > 100, painted };
  }));
  if (charts.length < 8) bad('only ' + charts.length + ' charts'); else ok(charts.length + ' charts');
  charts.forEach((c) => (c.drawn ? ok('chart ' + c.id + ' drew') : bad('chart ' + c.id + ' is blank')));
  // the totals shown
  const num = (s) => Number(String(s).replace(/[,，]/g, ''));
  const shown = await page.evaluate(() => {
    const t = (id) => document.getElementById(id).textContent;
    return { claims: t('t-claims'), flagged: t('t-flagged'), findings: t('t-findings'),
             claimed: t('t-claimed'), at_risk: t('t-at-risk') };
  });
  for (const k of ['claims', 'flagged', 'findings']) {
    if (num(shown[k]) === expect[k]) ok(k + ' ' + shown[k]); else bad(k + ' shown ' + shown[k] + ', expected ' + expect[k]);
  }
  for (const k of ['claimed', 'at_risk']) {
    if (Math.abs(num(shown[k]) - expect[k]) < 0.005) ok(k + ' ' + shown[k]);
    else bad(k + ' shown ' + shown[k] + ', expected ' + expect[k]);
  }
  // a drill-down: the first department's doctors add up to its findings
  const row = page.locator('#table-depts tr.drill').first();
  const deptFindings = num(await row.locator('td').nth(4).textContent());
  await row.click();
  const drill = await page.evaluate(() => {
    const t = document.getElementById('drill-table-depts');
    if (!t) return null;
    return Array.from(t.querySelectorAll('tr')).slice(1).map((tr) => tr.children[4].textContent);
  });
  if (!drill || !drill.length) bad('the drill-down table is empty');
  else {
    const sum = drill.reduce((s, x) => s + num(x), 0);
    if (sum === deptFindings) ok('drill-down: ' + drill.length + ' doctors, ' + sum + ' findings');
    else bad('drill-down adds up to ' + sum + ', the department has ' + deptFindings);
  }
  // the other sections are there
  for (const id of ['table-ledger', 'table-grades', 'table-worklist-1', 'table-categories']) {
    if (await page.locator('#' + id).count()) ok(id); else bad(id + ' missing');
  }
  fs.mkdirSync(outdir, { recursive: true });
  await page.screenshot({ path: path.join(outdir, 'report.png'), fullPage: true });
  ok('screenshot ' + path.join(outdir, 'report.png'));
  if (errors.length) bad('console errors: ' + errors.join(' | ')); else ok('no console errors');
  await browser.close();
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.log('FAIL ' + e); process.exit(1); });
