import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithMta, type MtaHarness, sendEach, startMtaHarness, waitFor } from '../support/mtaHarness.js';
import { type PostfixInstance, postfixUnavailable, startPostfix } from '../support/postfix.js';
import { REPLY_CASES, type ReplyCase } from '../support/replyCases.js';

const CLI = new URL('../../dist/src/cli.js', import.meta.url).pathname;

/** The shared reply kinds, and one only Postfix reports: no server answers (its own diagnostic, no reply). */
const CASES: readonly ReplyCase[] = [
  ...REPLY_CASES,
  { kind: "no server answers (Postfix's own diagnostic)", rcpt: 'someone@unreachable.test', type: 'SOFT_BOUNCE' },
];

describeWithMta('Postfix', postfixUnavailable(), "Postfix's real DSNs, piped to classify-message", () => {
  let harness: MtaHarness;
  let postfix: PostfixInstance;

  beforeAll(async () => {
    harness = await startMtaHarness(CASES);
    const { service, tokenFile } = harness;
    postfix = await startPostfix(harness.sink.port, [
      ...[process.execPath, CLI, 'classify-message'],
      ...['--url', service.url, '--token-file', tokenFile],
    ]);
  }, 60_000);

  afterAll(async () => {
    await postfix?.stop();
    await harness?.stop();
  });

  it('every reply kind comes back as a DSN whose verdict is the expected one', async () => {
    await sendEach(postfix.smtpPort, CASES);
    const verdicts = await waitFor(
      () => {
        const lines = postfix
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line));
        return lines.length >= CASES.length ? new Map(lines.map((line) => [line.recipient, line])) : null;
      },
      () => `only part of the verdicts came:\n${postfix.output()}\n--- maillog\n${postfix.log()}`,
    );
    for (const c of CASES) {
      const verdict = verdicts.get(c.rcpt);
      expect(verdict, `${c.kind}: no verdict\n${postfix.output()}`).toBeDefined();
      // A 5xx reply is returned at once; a 4xx one, or no answer, is retried and Postfix warns of the delay.
      const action = c.reply && c.reply.code >= 500 ? 'failed' : 'delayed';
      expect({ kind: c.kind, type: verdict.type, action: verdict.action, format: verdict.format }).toEqual({
        kind: c.kind,
        type: c.type,
        action,
        format: 'DSN',
      });
      expect(verdict.remoteMta ?? null).toBe(c.reply ? '127.0.0.1' : null);
      if (c.reply) expect(verdict.diagnostic).toContain(c.reply.text.split('\n')[0]!.slice(6));
      if (c.isp) expect(verdict.isp?.id).toBe(c.isp);
    }
    // Postfix handed every DSN to the pipe, and the pipe took each (exit 0); it logs that once the command ends.
    const sent = () => postfix.log().match(/relay=bouncepipe.*status=sent/g)?.length ?? 0;
    await waitFor(
      () => (sent() >= CASES.length ? true : null),
      () => postfix.log(),
      10_000,
    );
    expect(sent()).toBe(CASES.length);
  }, 90_000);
});
