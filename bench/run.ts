import { benchClassify, printClassifyBench } from './classify.js';
import { benchHttp } from './http.js';

printClassifyBench(benchClassify());
await benchHttp();
