import { printAuditBench, runAuditBench } from './audit.js';
import { benchClassify, printClassifyBench } from './classify.js';
import { benchClassifyMessage } from './classifyMessage.js';
import { benchHttp } from './http.js';
import { benchMemory } from './memory.js';
import { benchRebuild } from './rebuild.js';
import { benchStatistics } from './statistics.js';
import { benchStores } from './stores.js';

// Figures only, no pass/fail: compare the ratios printed side by side, measured in this one run.
// `npm run bench -- statistics` runs one part (classify, rebuild, statistics, http, audit, memory, stores, messages).
const parts: Record<string, () => Promise<void>> = {
  classify: async () => printClassifyBench(benchClassify()),
  rebuild: benchRebuild,
  statistics: benchStatistics,
  http: benchHttp,
  audit: async () => printAuditBench(await runAuditBench()),
  memory: async () => {
    await benchMemory();
  },
  stores: benchStores,
  messages: benchClassifyMessage,
};
const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in parts));
if (unknown.length > 0) throw new Error(`no bench part ${unknown.join(', ')}: ${Object.keys(parts).join(', ')}`);
for (const [name, part] of Object.entries(parts)) if (only.length === 0 || only.includes(name)) await part();
