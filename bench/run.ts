import { benchClassify, printClassifyBench } from './classify.js';

printClassifyBench(benchClassify());
