import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HarakaInstance, harakaUnavailable, startHaraka } from '../support/haraka.js';
import { describeWithMta, type MtaHarness, sendEach, startMtaHarness, waitFor } from '../support/mtaHarness.js';
import { REPLY_CASES } from '../support/replyCases.js';

describeWithMta('Haraka', harakaUnavailable(), 'Haraka outbound with the bounce_patterns plugin', () => {
  let harness: MtaHarness;
  let haraka: HarakaInstance;

  beforeAll(async () => {
    harness = await startMtaHarness(REPLY_CASES);
    haraka = await startHaraka(harness.sink.port, { url: harness.service.url, tokenFile: harness.tokenFile });
  }, 60_000);

  afterAll(async () => {
    await haraka?.stop();
    await harness?.stop();
  });

  it('on every bounce and deferral the plugin attaches the verdict on the remote reply', async () => {
    await sendEach(haraka.smtpPort, REPLY_CASES);
    const verdicts = await waitFor(
      () => {
        const found = [...haraka.output().matchAll(/bounce_patterns (\{.*\})\s*$/gm)].map((m) => JSON.parse(m[1]!));
        return found.length >= REPLY_CASES.length ? new Map(found.map((v) => [v.recipient, v])) : null;
      },
      () => `only part of the verdicts came:\n${haraka.output()}`,
    );
    for (const c of REPLY_CASES) {
      const verdict = verdicts.get(c.rcpt);
      expect(verdict, `${c.kind}: no verdict\n${haraka.output()}`).toBeDefined();
      // A 4xx reply defers (Haraka retries later), a 5xx one bounces.
      expect({ kind: c.kind, event: verdict.event, type: verdict.type }).toEqual({
        kind: c.kind,
        event: c.reply!.code < 500 ? 'deferred' : 'bounce',
        type: c.type,
      });
      expect(verdict.reply).toContain(c.reply!.text.split('\n')[0]!.slice(6));
      if (c.isp) expect(verdict.isp?.id).toBe(c.isp);
    }
  }, 90_000);
});
