import { printAuditBench, runAuditBench } from './audit.js';
import { benchClassify, printClassifyBench } from './classify.js';
import { benchClassifyMessage } from './classifyMessage.js';
import { benchHttp } from './http.js';
import { benchMemory } from './memory.js';
import { benchRebuild } from './rebuild.js';
import { benchStatistics } from './statistics.js';
import { benchStores } from './stores.js';

// Figures only, no pass/fail: compare the ratios printed side by side, measured in this one run.
printClassifyBench(benchClassify());
await benchRebuild();
await benchStatistics();
await benchHttp();
printAuditBench(await runAuditBench());
await benchMemory();
await benchStores();
await benchClassifyMessage();
