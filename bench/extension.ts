/**
 * `npm run bench:extension`: how long the People overlay takes in Chromium, from the table's
 * presence to every row's chips, on a 50-row and a 200-row People page generated from the real
 * Drupal 10.2 capture, and how many relay calls a page load makes. The baseline, measured in the
 * same run and browser: the same pages with the site disconnected (no content script), and the
 * lookup itself sent from Node. See bench/README.md.
 *   BENCH_SIZES=50,200  BENCH_RUNS=15  BENCH_WARMUP=3
 */
import os from 'node:os';
import { percentile } from './lib/load.ts';
import { prepareContext, timedLoad, type LoadTiming } from './lib/extension-measure.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { launchExtensionBrowser } from '../test/extension/support/browser.ts';
import { connectExtension } from '../test/extension/support/connect.ts';
import { startCountingProxy } from '../test/extension/support/counting-proxy.ts';
import { startFixtureSite } from '../test/extension/support/fixture-site.ts';
import { benchUsers, peoplePage } from '../test/extension/support/people-page.ts';
import { createScimUser, RELAY_A_TOKEN, startRelayPair } from '../test/extension/support/relays.ts';

const ints = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: "${s}" is not a whole number`);
    return n;
  });
const config = { sizes: ints('BENCH_SIZES', '50,200'), runs: ints('BENCH_RUNS', '15')[0]!, warmup: ints('BENCH_WARMUP', '3')[0]! };

interface Stats {
  p50: number;
  p95: number;
  min: number;
  max: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), min: s[0] ?? NaN, max: s.at(-1) ?? NaN };
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

interface SizeResult {
  rows: number;
  overlay: { tableToChips: Stats; navToChips: Stats; apiCallsPerLoad: number[] };
  baseline: { tableToLoad: Stats; navToLoad: Stats; lookupFromNode: Stats };
  loadAvg: number;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const maxRows = Math.max(...config.sizes);
  console.log(`bench:extension sizes ${config.sizes.join(', ')}, ${config.runs} runs (+${config.warmup} warm-up), load ${os.loadavg()[0]!.toFixed(2)}`);
  const [relays, site, browser] = await Promise.all([startRelayPair(), startFixtureSite({}), launchExtensionBrowser()]);
  const proxy = await startCountingProxy(relays.a.url);
  try {
    // Every user is in the relay; a third are provisioned to relay B, so chips show mixed states.
    const users = benchUsers(maxRows);
    const ids: string[] = [];
    for (const u of users) ids.push(await createScimUser(relays.a, u.name));
    for (let i = 0; i < ids.length; i += 3) await relays.a.api('POST', `/users/${ids[i]}/provision`, {});
    for (const size of config.sizes) site.route(`/bench/${size}`, peoplePage(users.slice(0, size), true));
    await prepareContext(browser.context);

    const results: SizeResult[] = [];
    for (const size of config.sizes) {
      const url = `${site.origin}/bench/${size}`;
      // Baseline first: the site not connected, so no content script is registered at all.
      await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [] });
      await waitUnregistered(browser.background);
      const plain: LoadTiming[] = [];
      for (let i = 0; i < config.warmup + config.runs; i++) {
        const t = await timedLoad(browser.context, url, false);
        if (t.chipsAt !== null) throw new Error('the overlay ran on the baseline page');
        if (i >= config.warmup) plain.push(t);
      }
      const lookupTimes: number[] = [];
      const body = { site: site.origin, uids: users.slice(0, size).map((u) => u.uid), userNames: users.slice(0, size).map((u) => u.name) };
      for (let i = 0; i < config.warmup + config.runs; i++) {
        const t0 = performance.now();
        const res = await relays.a.api('POST', '/users/lookup', body);
        if (res.status !== 200) throw new Error(`lookup: ${res.status} ${res.text}`);
        if (i >= config.warmup) lookupTimes.push(performance.now() - t0);
      }

      await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
      const timed: LoadTiming[] = [];
      const calls: number[] = [];
      for (let i = 0; i < config.warmup + config.runs; i++) {
        proxy.reset();
        const t = await timedLoad(browser.context, url, true);
        if (i >= config.warmup) {
          timed.push(t);
          calls.push(proxy.calls.length);
        }
      }
      const r: SizeResult = {
        rows: size,
        overlay: { tableToChips: stats(timed.map((t) => t.chipsAt! - t.tableAt)), navToChips: stats(timed.map((t) => t.chipsAt!)), apiCallsPerLoad: calls },
        baseline: {
          tableToLoad: stats(plain.map((t) => t.loadAt - t.tableAt)),
          navToLoad: stats(plain.map((t) => t.loadAt)),
          lookupFromNode: stats(lookupTimes),
        },
        loadAvg: os.loadavg()[0]!,
      };
      results.push(r);
      console.log(
        `${size} rows: table → chips p50 ${ms(r.overlay.tableToChips.p50)} (p95 ${ms(r.overlay.tableToChips.p95)}), API calls per load ${[...new Set(calls)].join('/')}; ` +
          `baseline table → load ${ms(r.baseline.tableToLoad.p50)}, lookup alone ${ms(r.baseline.lookupFromNode.p50)}; load ${r.loadAvg.toFixed(2)}`,
      );
    }
    const finishedAt = new Date().toISOString();
    const machine = machineInfo();
    const md = markdown(results, { startedAt, finishedAt, machine, config });
    const files = writeResults('extension', startedAt, { startedAt, finishedAt, machine, config, results }, md);
    console.log(`wrote ${files.join(', ')}`);
  } finally {
    await Promise.all([browser.close(), site.close(), proxy.close(), relays.close()]);
  }
}

async function waitUnregistered(background: import('playwright-core').Worker): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const n = await background.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length);
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('content scripts still registered for the baseline');
}

function markdown(
  results: SizeResult[],
  meta: { startedAt: string; finishedAt: string; machine: ReturnType<typeof machineInfo>; config: typeof config },
): string {
  const m = meta.machine;
  const lines = [
    '# bench:extension — People overlay in Chromium',
    '',
    `${meta.startedAt} → ${meta.finishedAt} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · commit ${m.commit}${m.dirty ? ' (dirty)' : ''} · ${meta.config.runs} runs per figure after ${meta.config.warmup} warm-up loads`,
    '',
    'Pages: the real Drupal 10.2 People capture with its row repeated (uids, names, bulk keys per user), served on 127.0.0.1. Relay A (workerd via Miniflare, real D1) behind a counting proxy, relay B as its target; a third of the users are in sync on relay B, the rest not linked. Debian Chromium, `--headless=new`, the built extension loaded.',
    '',
    '| rows | table → all chips p50 | p95 | min–max | navigation → chips p50 | API calls per load | baseline: table → load event p50 | baseline: navigation → load p50 | baseline: the lookup alone from Node p50 | load avg |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.rows} | ${ms(r.overlay.tableToChips.p50)} | ${ms(r.overlay.tableToChips.p95)} | ${ms(r.overlay.tableToChips.min)}–${ms(r.overlay.tableToChips.max)} | ${ms(r.overlay.navToChips.p50)} | ${[...new Set(r.overlay.apiCallsPerLoad)].join(' / ')} | ${ms(r.baseline.tableToLoad.p50)} | ${ms(r.baseline.navToLoad.p50)} | ${ms(r.baseline.lookupFromNode.p50)} | ${r.loadAvg.toFixed(2)} |`,
    ),
    '',
    '- *table → all chips*: from the inline script right after `</table>` (the parser has built the table) to the moment every row host has left "loading" (a MutationObserver in the page). It includes the content script start at `document_end`, the adapter, the message to the background, the relay lookup (one `POST /api/v1/users/lookup` for the whole page) and rendering.',
    '- *baseline*: the same page with the site disconnected (no content script registered), in the same browser and run; and the same lookup request sent from Node, which is the floor the overlay cannot beat.',
    `- Goal (issue #5): a 50-row page within 300 ms of its table, with one API call — ${goal(results)}.`,
    '',
  ];
  return lines.join('\n');
}

function goal(results: SizeResult[]): string {
  const r50 = results.find((r) => r.rows === 50);
  if (!r50) return 'not measured (no 50-row size)';
  const oneCall = r50.overlay.apiCallsPerLoad.every((c) => c === 1);
  return `${r50.overlay.tableToChips.p50 <= 300 && oneCall ? 'met' : 'NOT MET'} (p50 ${ms(r50.overlay.tableToChips.p50)}, p95 ${ms(r50.overlay.tableToChips.p95)}, ${oneCall ? 'one call per load' : 'calls per load: ' + [...new Set(r50.overlay.apiCallsPerLoad)].join('/')})`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
