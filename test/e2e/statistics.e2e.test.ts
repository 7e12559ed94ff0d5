import { afterEach, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CLASSIFY } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const METRICS_TOKEN = 'metrics_scraper_0123456789abcdef';
const GMAIL_UNKNOWN =
  '550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550 5.1.1 double-checking the recipient';
const HITS = `query($id: ID!) { bouncePattern(id: $id) { hits { total } } }`;

let service: ServiceProcess | undefined;
const scratch = scratchDir();
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

const metricsUrl = (url: string) => url.replace(/\/graphql$/, '/metrics');

describe('/metrics', () => {
  it('behind a token: refuses a scrape without it, and counts classifications, appends, errors and the matcher', async () => {
    service = await startServiceProcess(
      serviceEnv(scratch.sqlitePath, { METRICS: 'token', METRICS_TOKEN, STATISTICS_FLUSH_MS: '200' }),
    );
    const verdict = await gqlData(service.url, CLASSIFY, { reply: GMAIL_UNKNOWN, recipient: 'someone@gmail.com' });
    expect(verdict.classify.matchedBy).toBe('PATTERN');
    const refused = await gql(service.url, '{ bouncePatterns(first: 501) { totalCount } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await fetch(metricsUrl(service.url))).status).toBe(401);
    const response = await fetch(metricsUrl(service.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/bounce_classifications_total\{type="HARD_BOUNCE",matched_by="PATTERN",isp="gmail"\} 1\n/);
    expect(text).toMatch(/bounce_classify_duration_seconds_count\{operation="classify"\} 1\n/);
    expect(text).toMatch(/bounce_store_append_duration_seconds_count\{outcome="ok"\} [1-9]\d*\n/);
    expect(text).toMatch(/bounce_graphql_errors_total\{code="BAD_USER_INPUT"\} 1\n/);
    expect(text).toMatch(/bounce_matcher_rules [1-9]\d*\n/);
    expect(text).toMatch(/bounce_projection_lag_events 0\n/);
  });

  it('is off by default', async () => {
    service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    expect((await fetch(metricsUrl(service.url))).status).toBe(404);
  });
});

describe('statistics of a killed service', () => {
  it('keep what was flushed before a SIGKILL (the flush interval is what a kill can lose)', async () => {
    const { sqlitePath, cleanup } = scratchDir();
    try {
      const env = serviceEnv(sqlitePath, { STATISTICS_FLUSH_MS: '200' });
      service = await startServiceProcess(env);
      const { classify } = await gqlData(service.url, CLASSIFY, { reply: GMAIL_UNKNOWN, recipient: 'a@gmail.com' });
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // several flush intervals
      await service.stop('SIGKILL');
      service = await startServiceProcess(env);
      const hits = await gqlData(service.url, HITS, { id: classify.pattern.patternId });
      expect(hits.bouncePattern.hits.total).toBe(1);
    } finally {
      await service?.stop();
      service = undefined;
      cleanup();
    }
  });
});
