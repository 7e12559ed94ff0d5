import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gqlData } from '../support/graphqlClient.js';
import { type PostfixInstance, postfixUnavailable, startPostfix } from '../support/postfix.js';
import { CREATE_TOKEN } from '../support/queries.js';
import { type ReplySink, startReplySink } from '../support/smtpSink.js';
import { sendMail } from '../support/smtpSend.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const CLI = new URL('../../dist/src/cli.js', import.meta.url).pathname;

/** Each kind of reply the receiving server gives, and the verdict the service must reach from Postfix's DSN. */
const CASES = [
  {
    kind: 'user unknown (multi-line, Gmail)',
    rcpt: 'nobody@gmail.com',
    reply: {
      code: 550,
      text: "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 double-checking the recipient's email address for typos.",
    },
    type: 'HARD_BOUNCE',
    isp: 'gmail',
  },
  {
    kind: 'mailbox full',
    rcpt: 'full@example.com',
    reply: { code: 552, text: '5.2.2 Mailbox full: the mailbox of this user is over quota' },
    type: 'SOFT_BOUNCE',
  },
  {
    kind: 'greylisting',
    rcpt: 'grey@example.com',
    reply: { code: 450, text: '4.2.0 Greylisted, please try again in 5 minutes' },
    type: 'SOFT_BOUNCE',
  },
  {
    kind: 'spam block after the message',
    rcpt: 'guarded@example.com',
    reply: { code: 554, text: '5.7.1 Message rejected as spam by Content Filtering', stage: 'data' as const },
    type: 'BOUNCE',
  },
  {
    kind: 'user unknown, in French',
    rcpt: 'jean@orange.fr',
    reply: { code: 550, text: '5.1.1 Adresse destinataire inconnue' },
    type: 'HARD_BOUNCE',
    isp: 'orange',
  },
  { kind: "no server answers (Postfix's own diagnostic)", rcpt: 'someone@unreachable.test', type: 'SOFT_BOUNCE' },
];

// Never a silent pass: without Postfix (or root) the block is reported as skipped, and says why.
const unavailable = postfixUnavailable();
if (unavailable) console.warn(`Postfix integration: skipped — ${unavailable}`);

(unavailable ? describe.skip : describe)(
  unavailable ? `Postfix integration: skipped — ${unavailable}` : "Postfix's real DSNs, piped to classify-message",
  () => {
    const scratch = scratchDir();
    let service: ServiceProcess;
    let sink: ReplySink;
    let postfix: PostfixInstance;

    beforeAll(async () => {
      service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
      const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: 'postfix pipe', role: 'MTA' } });
      // The pipe runs as nobody: it may cross the scratch folder to read the token, not list it.
      chmodSync(scratch.dir, 0o711);
      const tokenFile = join(scratch.dir, 'mta-token');
      writeFileSync(tokenFile, created.createApiToken.secret, { mode: 0o644 });
      sink = await startReplySink(Object.fromEntries(CASES.flatMap((c) => (c.reply ? [[c.rcpt, c.reply]] : []))));
      postfix = await startPostfix(sink.port, [
        process.execPath,
        CLI,
        'classify-message',
        '--url',
        service.url,
        '--token-file',
        tokenFile,
      ]);
    }, 60_000);

    afterAll(async () => {
      await postfix?.stop();
      await sink?.close();
      await service?.stop();
      scratch.cleanup();
    });

    it('every reply kind comes back as a DSN whose verdict is the expected one', async () => {
      // One message per recipient: one DSN each, as a sender sees them.
      for (const { rcpt } of CASES)
        await sendMail(
          postfix.smtpPort,
          `newsletter@${postfix.bounceDomain}`,
          [rcpt],
          `From: newsletter@${postfix.bounceDomain}\nTo: ${rcpt}\nSubject: news\n\nHello.\n`,
        );
      const lines = async () => {
        for (let waited = 0; waited < 60_000; waited += 200) {
          const parsed = postfix
            .output()
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line));
          if (parsed.length >= CASES.length) return parsed;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error(`only part of the verdicts came:\n${postfix.output()}\n--- maillog\n${postfix.log()}`);
      };
      const verdicts = new Map((await lines()).map((line) => [line.recipient, line]));
      for (const c of CASES) {
        const verdict = verdicts.get(c.rcpt);
        expect(verdict, `${c.kind}: no verdict\n${postfix.output()}`).toBeDefined();
        expect({ kind: c.kind, type: verdict.type, format: verdict.format }).toEqual({
          kind: c.kind,
          type: c.type,
          format: 'DSN',
        });
        expect(verdict.remoteMta ?? null).toBe(c.reply ? '127.0.0.1' : null);
        if (c.reply) expect(verdict.diagnostic).toContain(c.reply.text.split('\n')[0]!.slice(6));
        if (c.isp) expect(verdict.isp?.id).toBe(c.isp);
      }
      // Postfix handed every DSN to the pipe, and the pipe took each (exit 0); it logs that once the command ends.
      const delivered = () => postfix.log().match(/relay=bouncepipe.*status=sent/g)?.length ?? 0;
      for (let waited = 0; delivered() < CASES.length && waited < 10_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(delivered()).toBe(CASES.length);
    }, 90_000);
  },
);
