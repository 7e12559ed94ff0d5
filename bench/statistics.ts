import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMatcher, type Classification, type ClassifyRequest } from '../projections/matcher.js';
import { SqliteStatisticsStore } from '../src/statistics/sqlite.js';
import { Statistics } from '../src/statistics/statistics.js';
import { generateCorpus } from './classify.js';
import { appWithRules } from './rebuild.js';

/**
 * What statistics cost: in-process classify with and without counting (rounds alternated, each round
 * with counting ending in a flush to a real SQLite file, so the flush is paid for); the time of a
 * preview at 10,000 rules over 50,000 sampled templates; the store's growth at 100 classifications/s.
 */

const FLUSH_INTERVAL_MS = 5_000;
const SLICE_MS = 250;
/** Per side: four flush intervals. */
const MEASURED_MS = 4 * FLUSH_INTERVAL_MS;

async function hotPathCost(ruleCount: number) {
  const { isps, rules, requests } = generateCorpus(ruleCount, 5_000, ruleCount);
  const matcher = compileMatcher(rules, isps, 1n);
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  const statistics = new Statistics(new SqliteStatisticsStore(join(dir, 'events.sqlite')));
  const off = (request: ClassifyRequest) => matcher.classify(request);
  // What the app's classify listener does.
  const on = (request: ClassifyRequest) => {
    const verdict = matcher.classify(request);
    statistics.record(request, verdict);
    return verdict;
  };
  // Short slices, alternated, so that the load of a shared machine falls on both sides alike; the
  // counting side flushes after every flush interval of its own time, and pays for it.
  const seconds = { off: 0, on: 0 };
  const calls = { off: 0, on: 0 };
  let sinceFlush = 0;
  for (let slice = 0; slice < (2 * MEASURED_MS) / SLICE_MS + 2; slice++) {
    const name = slice % 2 === 0 ? 'off' : 'on';
    const classify = name === 'off' ? off : on;
    const until = performance.now() + SLICE_MS;
    const started = process.hrtime.bigint();
    let n = 0;
    while (performance.now() < until) for (let i = 0; i < 500; i++, n++) classify(requests[n % requests.length]!);
    if (name === 'on') sinceFlush += SLICE_MS;
    if (sinceFlush >= FLUSH_INTERVAL_MS) {
      sinceFlush = 0;
      await statistics.flush();
    }
    // The first two slices warm up.
    if (slice < 2) continue;
    seconds[name] += Number(process.hrtime.bigint() - started) / 1e9;
    calls[name] += n;
  }
  // The counting alone, on verdicts given beforehand: a steadier figure on a busy machine.
  const verdicts = requests.map((request) => matcher.classify(request));
  const started = process.hrtime.bigint();
  for (let i = 0; i < 1_000_000; i++) statistics.record(requests[i % requests.length]!, verdicts[i % requests.length]!);
  const recordNanos = Number(process.hrtime.bigint() - started) / 1_000_000;
  await statistics.stop();
  await statistics.store.close();
  rmSync(dir, { recursive: true, force: true });
  const rate = { off: calls.off / seconds.off, on: calls.on / seconds.on };
  return {
    rules: ruleCount,
    'statistics off /s': Math.round(rate.off),
    'statistics on /s': Math.round(rate.on),
    cost: `${((rate.off / rate.on - 1) * 100).toFixed(1)}%`,
    'record() alone ns': Math.round(recordNanos),
    'classify ns': Math.round(1e9 / rate.off),
  };
}

async function previewTime(ruleCount: number, templates: number) {
  const corpus = generateCorpus(ruleCount, templates, ruleCount);
  const app = await appWithRules(corpus, { statistics: { sampleCapacity: templates, repliesPerFlush: templates } });
  // Distinct templates: each reply made unique by a word that masking keeps.
  for (let i = 0; i < templates; i++) {
    const request = corpus.requests[i]!;
    app.classifier.classify({ ...request, reply: `${request.reply} variant ${wordOf(i)}` });
  }
  await app.statistics.flush();
  const sampled = (await app.statistics.store.sample(templates)).length;
  await app.statistics.loadTotals();
  const byHits = app.runner.model
    .patterns()
    .sort((a, b) => app.statistics.patternHits(b.id).total - app.statistics.patternHits(a.id).total);
  const target = byHits[0]!;
  const cases = [
    { change: 'disable the most hit rule', changes: [{ kind: 'DISABLE' as const, id: target.id }] },
    {
      change: 'create a broad rule',
      changes: [
        {
          kind: 'CREATE' as const,
          fields: { name: 'broad', type: 'BOUNCE' as const, pattern: 'rejected', priority: 0 },
        },
      ],
    },
  ];
  const rows = [];
  for (const { change, changes } of cases) {
    await app.insight.preview(changes); // warm-up
    const started = performance.now();
    const preview = await app.insight.preview(changes);
    rows.push({
      rules: ruleCount,
      'sampled templates': sampled,
      change,
      'preview ms': (performance.now() - started).toFixed(0),
      'moved occurrences': preview.movedOccurrences,
    });
  }
  await app.stop();
  return rows;
}

/** Letters only, so that masking (digits, ids) leaves it: i → "bcd…". */
function wordOf(i: number): string {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / 26)) word += String.fromCharCode(97 + (n % 26));
  return word;
}

/**
 * The SQLite file's growth at 100 classifications per second of the corpus' replies, on a simulated
 * clock: two hours with a flush every 5 s; the second hour's growth (the sample and unmatched groups
 * already hold the corpus' distinct templates) times 24 is the steady daily growth.
 */
async function storageGrowth() {
  const { isps, rules, requests } = generateCorpus(1_000, 5_000, 7);
  const matcher = compileMatcher(rules, isps, 1n);
  const verdicts: [ClassifyRequest, Classification][] = requests.map((request) => [request, matcher.classify(request)]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  const path = join(dir, 'events.sqlite');
  let now = Date.UTC(2026, 11, 1);
  const statistics = new Statistics(new SqliteStatisticsStore(path), { clock: () => now });
  const size = () =>
    ['', '-wal'].reduce((total, suffix) => total + (statSync(path + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
  const sizes: number[] = [];
  let next = 0;
  for (let hour = 0; hour < 2; hour++) {
    for (let flush = 0; flush < 720; flush++) {
      for (let i = 0; i < 500; i++, now += 10) {
        const [request, verdict] = verdicts[next++ % verdicts.length]!;
        statistics.record(request, verdict);
      }
      await statistics.flush();
    }
    sizes.push(size());
  }
  const rows = await statistics.store.hits({ by: ['patternId', 'type', 'matchedBy', 'ispId', 'bucket'] });
  await statistics.store.close();
  rmSync(dir, { recursive: true, force: true });
  const perHour = sizes[1]! - sizes[0]!;
  return {
    'after 1 h': `${(sizes[0]! / 1e6).toFixed(1)} MB`,
    'after 2 h': `${(sizes[1]! / 1e6).toFixed(1)} MB`,
    'hit rows per hour': Math.round(rows.length / 2),
    'steady growth per day': `${((perHour * 24) / 1e6).toFixed(1)} MB`,
  };
}

export async function benchStatistics(): Promise<void> {
  console.log('\nclassify in process with statistics off and on (rounds alternated; "on" pays its flushes to SQLite)');
  console.table([await hotPathCost(1_000), await hotPathCost(10_000)]);
  console.log('\npreviewRuleChange at 10,000 rules over the recent sample (nothing written)');
  console.table(await previewTime(10_000, 50_000));
  console.log('\nstatistics store at 100 classifications/s (1,000 rules, 20 ISPs, 5,000 distinct replies)');
  console.table([await storageGrowth()]);
}
