import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMatcher, type Classification, type ClassifyRequest } from '../projections/matcher.js';
import type { Audit } from '../src/app/audit.js';
import { Classifier } from '../src/app/classifier.js';
import type { ProjectionRunner } from '../src/app/projectionRunner.js';
import { encodeEventData } from '../src/statistics/eventstoredb.js';
import { MemoryStatisticsStore } from '../src/statistics/memory.js';
import { SqliteStatisticsStore } from '../src/statistics/sqlite.js';
import { HELD_VERDICTS, Statistics } from '../src/statistics/statistics.js';
import { generateCorpus } from './classify.js';
import { appWithRules } from './rebuild.js';

/**
 * What statistics cost: in-process classify with and without counting (rounds alternated, each round
 * with counting ending in a flush to a real SQLite file, so the flush is paid for); the time of a
 * preview at 10,000 rules over 50,000 sampled templates; the store's growth at 100 classifications/s.
 */

/** Slices of the corpus' replies compared, and how often each side classifies each slice. */
const SLICES = 40;
const REPEATS = 25;

const percent = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)}%`;
const quantile = (sorted: readonly number[], q: number) => sorted[Math.round(q * (sorted.length - 1))]!;

/**
 * Classify with statistics off and on as the app does it (the Classifier, with and without the statistics
 * listener). Each slice of replies is classified REPEATS times by each side, alternated, with the same
 * warmed matcher; the load of a shared machine only ever adds time, so each side's fastest repeat is
 * its time, and the slice gives one ratio. A slice holds as many replies as `record` holds before it
 * counts them, so every repeat pays one count. The median ratio over the slices is the cost, beside
 * a control (two sides without statistics) that shows the method's own error. The flush is timed apart:
 * it runs once per flush interval, off the hot path.
 */
async function hotPathCost(ruleCount: number) {
  const { isps, rules, requests } = generateCorpus(ruleCount, 5_000, ruleCount);
  const matcher = compileMatcher(rules, isps, 1n);
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  const statistics = new Statistics(new SqliteStatisticsStore(join(dir, 'events.sqlite')));
  // Only `.matcher` of the runner is read on this path.
  const runner = { matcher } as unknown as ProjectionRunner;
  const [off, control, on] = [0, 1, 2].map(() => new Classifier(runner, null as unknown as Audit)) as [
    Classifier,
    Classifier,
    Classifier,
  ];
  on.onClassified((request, verdict) => statistics.record(request, verdict));
  const run = (classifier: Classifier, from: number, calls: number) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) classifier.classify(requests[(from + i) % requests.length]!);
    return Number(process.hrtime.bigint() - started);
  };
  for (let i = 0; i < 3; i++) for (const classifier of [off, control, on]) run(classifier, 0, requests.length);
  const calls = HELD_VERDICTS;
  const ratios = { on: [] as number[], control: [] as number[] };
  let fastestOff = Number.POSITIVE_INFINITY;
  for (let slice = 0; slice < SLICES; slice++) {
    const from = Math.floor((slice * requests.length) / SLICES);
    const fastest = { off: Number.POSITIVE_INFINITY, on: Number.POSITIVE_INFINITY, control: Number.POSITIVE_INFINITY };
    const sides = { off, on, control };
    const orders: (keyof typeof sides)[][] = [
      ['off', 'on', 'control'],
      ['control', 'on', 'off'],
    ];
    for (let repeat = 0; repeat < REPEATS; repeat++)
      for (const name of orders[repeat % 2]!) fastest[name] = Math.min(fastest[name], run(sides[name], from, calls));
    ratios.on.push(fastest.on / fastest.off);
    ratios.control.push(fastest.control / fastest.off);
    fastestOff = Math.min(fastestOff, fastest.off / calls);
  }
  // One flush of what a flush interval holds at most (1,000 replies masked, the counters), to SQLite.
  const flushStarted = process.hrtime.bigint();
  await statistics.flush();
  const flushMs = Number(process.hrtime.bigint() - flushStarted) / 1e6;
  // The counting alone, on verdicts given beforehand.
  const verdicts = requests.map((request) => matcher.classify(request));
  const started = process.hrtime.bigint();
  for (let i = 0; i < 1_000_000; i++) statistics.record(requests[i % requests.length]!, verdicts[i % requests.length]!);
  const recordNanos = Number(process.hrtime.bigint() - started) / 1_000_000;
  await statistics.stop();
  await statistics.store.close();
  rmSync(dir, { recursive: true, force: true });
  const onRatios = ratios.on.sort((a, b) => a - b);
  const controlRatios = ratios.control.sort((a, b) => a - b);
  return {
    rules: ruleCount,
    'classify ns': Math.round(fastestOff),
    'cost: on/off, median of slices': percent(quantile(onRatios, 0.5)),
    'slices p25–p75': `${percent(quantile(onRatios, 0.25))} – ${percent(quantile(onRatios, 0.75))}`,
    'control: off/off': `${percent(quantile(controlRatios, 0.5))} (${percent(quantile(controlRatios, 0.25))} – ${percent(quantile(controlRatios, 0.75))})`,
    'flush ms (every 5 s)': flushMs.toFixed(1),
    'record() alone ns': Math.round(recordNanos),
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
  const store = new SqliteStatisticsStore(path);
  // What the EventStoreDB store would append (each flush as one deflated event) and hold in a snapshot.
  const state = new MemoryStatisticsStore();
  let appended = 0;
  const add = store.add.bind(store);
  store.add = async (batch) => {
    appended += encodeEventData(batch).byteLength;
    await state.add(batch);
    return add(batch);
  };
  const statistics = new Statistics(store, { clock: () => now });
  const size = () =>
    ['', '-wal'].reduce((total, suffix) => total + (statSync(path + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
  const sizes: number[] = [];
  const appendedAt: number[] = [];
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
    appendedAt.push(appended);
  }
  const rows = await statistics.store.hits({ by: ['patternId', 'type', 'matchedBy', 'ispId', 'bucket'] });
  await statistics.store.close();
  rmSync(dir, { recursive: true, force: true });
  const perHour = sizes[1]! - sizes[0]!;
  return {
    'after 1 h': `${(sizes[0]! / 1e6).toFixed(1)} MB`,
    'after 2 h': `${(sizes[1]! / 1e6).toFixed(1)} MB`,
    'hit rows per hour': Math.round(rows.length / 2),
    'SQLite: steady growth per day': `${((perHour * 24) / 1e6).toFixed(1)} MB`,
    'EventStoreDB: appended per day': `${(((appendedAt[1]! - appendedAt[0]!) * 24) / 1e6).toFixed(0)} MB`,
    'EventStoreDB: a snapshot after 2 h': `${(encodeEventData(state.contents()).byteLength / 1e6).toFixed(1)} MB`,
  };
}

export async function benchStatistics(): Promise<void> {
  console.log(
    `\nclassify in process with statistics off and on (${SLICES} slices of ${HELD_VERDICTS} replies, fastest of ${REPEATS} repeats a side)`,
  );
  console.table([await hotPathCost(1_000), await hotPathCost(10_000)]);
  console.log('\npreviewRuleChange at 10,000 rules over the recent sample (nothing written)');
  console.table(await previewTime(10_000, 50_000));
  console.log('\nstatistics store at 100 classifications/s (1,000 rules, 20 ISPs, 5,000 distinct replies)');
  console.table([await storageGrowth()]);
}
