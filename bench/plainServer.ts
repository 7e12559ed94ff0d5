import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Classification, ClassifyRequest } from '../projections/matcher.js';
import { App } from '../src/app/app.js';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';

/*
 * The baseline of the HTTP benchmark: the project's own compiled matcher, built from the same log,
 * behind the plainest JSON server node:http allows. No token, no limits, no GraphQL: what classify
 * over HTTP would cost if the API layer cost nothing. Run as its own process by bench/http.ts.
 */

/** The fields the benchmark's GraphQL documents select, so that both servers send the same answer. */
const answer = (verdict: Classification) => ({
  type: verdict.type,
  matchedBy: verdict.matchedBy,
  message: verdict.message,
  rulesetVersion: verdict.rulesetVersion === null ? null : String(verdict.rulesetVersion),
  pattern: verdict.rule && { patternId: verdict.rule.id },
});

const app = new App(new SqliteEventStore(process.argv[2]!), { seed: false });
await app.start();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const json =
      req.url === '/classifyBatch'
        ? JSON.stringify((body.items as ClassifyRequest[]).map((item) => answer(app.classifier.classify(item))))
        : JSON.stringify(answer(app.classifier.classify(body as ClassifyRequest)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(json);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`plain JSON server on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void app.stop();
});
