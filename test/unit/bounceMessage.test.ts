import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { classifyBounceMessage } from '../../src/app/bounceMessages.js';
import { MESSAGE_LIMITS, parseBounceMessage } from '../../src/domain/bounceMessage/parse.js';
import { type DomainError, MessageLimitError, ValidationError } from '../../src/domain/errors.js';
import { MemoryEventStore } from '../../src/eventstore/memory.js';

interface CorpusEntry {
  readonly file: string;
  readonly source: string;
  readonly format: string | null;
  /** Set for a message that is no bounce: words its reason must hold. */
  readonly notBounce?: string;
  readonly recipients: readonly {
    recipient: string;
    action: string;
    status: string | null;
    remoteMta?: string;
    type: string;
    ruleMiss?: string;
  }[];
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url), 'utf8');
const corpus = (JSON.parse(fixture('corpus.json')) as { files: CorpusEntry[] }).files;

// The shipped defaults, installed as on a first start: the verdicts are the ones the service gives.
const app = new App(new MemoryEventStore(), { bootstrapAdminToken: 'x'.repeat(32) });
beforeAll(() => app.start());
afterAll(() => app.stop());

describe('real bounces from public sources', () => {
  for (const entry of corpus) {
    const title = entry.notBounce ?? entry.recipients.map((r) => `${r.recipient} ${r.type}`).join(', ');
    it(`${entry.file}: ${title}`, async () => {
      const answer = await classifyBounceMessage(app.classifier, fixture(entry.file));
      expect(answer.isBounce).toBe(!entry.notBounce);
      if (entry.notBounce) expect(answer.reason).toMatch(new RegExp(entry.notBounce));
      expect(answer.format).toBe(entry.format);
      expect(
        answer.recipients.map((r) => ({
          recipient: r.recipient,
          action: r.action,
          status: r.status,
          ...(entry.recipients.some((e) => e.remoteMta) ? { remoteMta: r.remoteMta } : {}),
        })),
      ).toEqual(entry.recipients.map(({ type: _type, ruleMiss: _miss, ...parsed }) => parsed));
      answer.recipients.forEach((r, i) => {
        const expected = entry.recipients[i]!;
        expect(r.diagnostic).not.toBeNull();
        // A known miss of the rules may be wrong, never a false hard bounce.
        if (expected.ruleMiss) expect([expected.type, 'BOUNCE', 'SOFT_BOUNCE']).toContain(r.classification.type);
        else expect(r.classification.type, r.diagnostic!).toBe(expected.type);
      });
    });
  }
});

// Written to each MTA's documented template (not captured mail): the readers' wording, one per format.
const headers = 'From: MAILER-DAEMON@mx.example.net\nTo: sender@example.org\nSubject: Undelivered Mail\n\n';
const TEXT_BOUNCES = {
  POSTFIX: `${headers}This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<nobody@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.1] said: 550-5.1.1
    The email account that you tried to reach does not exist. (in reply to
    RCPT TO command)

<full@example.com> (expanded from <alias@example.net>): host
    mx.example.com[192.0.2.2] said: 452 4.2.2 Mailbox full (in reply to RCPT TO
    command)
`,
  EXIM: `${headers}This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  nobody@example.com
    host mx.example.com [192.0.2.3]
    SMTP error from remote mail server after RCPT TO:<nobody@example.com>:
    550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown

------ This is a copy of the message, including all the headers. ------
`,
  SENDMAIL: `${headers}The original message was received at Mon, 1 Dec 2026 10:00:00 GMT

   ----- The following addresses had permanent fatal errors -----
<nobody@example.com>
    (reason: 550 5.1.1 <nobody@example.com>... User unknown)

   ----- Transcript of session follows -----
... while talking to mx.example.com.:
>>> RCPT To:<nobody@example.com>
<<< 550 5.1.1 <nobody@example.com>... User unknown
`,
  EXCHANGE: `${headers}Delivery has failed to these recipients or groups:

nobody@example.com<mailto:nobody@example.com>
The email address you entered couldn't be found.

Diagnostic information for administrators:

Generating server: EX1.example.net

nobody@example.com
Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'

Original message headers:
Received: from EX1.example.net
`,
  DOMINO: `${headers}Your message

  Subject: hello

was not delivered to:

  nobody@example.com

because:

  User nobody (nobody@example.com) not listed in Domino Directory
`,
};

describe('the human-readable bounces of MTAs that send no report', () => {
  it('Postfix: each recipient, the remote host, the reply without "(in reply to …)"', async () => {
    const report = await parseBounceMessage(TEXT_BOUNCES.POSTFIX);
    expect(report).toMatchObject({ isBounce: true, format: 'POSTFIX', reportingMta: 'mx.example.net' });
    expect(report.isBounce && report.recipients).toEqual([
      {
        recipient: 'nobody@gmail.com',
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'gmail-smtp-in.l.google.com',
        diagnostic: '550-5.1.1 The email account that you tried to reach does not exist.',
      },
      {
        recipient: 'full@example.com',
        action: 'failed',
        status: '4.2.2',
        remoteMta: 'mx.example.com',
        diagnostic: '452 4.2.2 Mailbox full',
      },
    ]);
  });

  for (const format of ['EXIM', 'SENDMAIL', 'EXCHANGE', 'DOMINO'] as const) {
    it(`${format}: the recipient and its reply`, async () => {
      const answer = await classifyBounceMessage(app.classifier, TEXT_BOUNCES[format]);
      expect(answer).toMatchObject({ isBounce: true, format });
      expect(answer.recipients).toHaveLength(1);
      const [only] = answer.recipients;
      expect(only!.recipient).toBe('nobody@example.com');
      expect(only!.action).toBe('failed');
      expect(only!.diagnostic).toMatch(/user unknown|not found|not listed/i);
      expect(only!.classification.type).toBe('HARD_BOUNCE');
    });
  }

  it('a delayed recipient without a reply is a soft bounce, never a failure', async () => {
    const delayed = TEXT_BOUNCES.EXCHANGE.replace('has failed', 'is delayed').replace(/Diagnostic[\s\S]*/, '');
    const answer = await classifyBounceMessage(app.classifier, delayed);
    expect(answer.recipients.map((r) => [r.action, r.classification.type])).toEqual([['delayed', 'SOFT_BOUNCE']]);
  });
});

const report = (status: string, action: string) => `From: MAILER-DAEMON@mx.example.net
Subject: Delivery report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Report.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; someone@example.com
Action: ${action}
Status: ${status}

--b--
`;

describe('messages that are no bounce', () => {
  it.each([
    ['a person’s mail', 'From: a@example.com\nTo: b@example.com\nSubject: hello\n\nSee you tomorrow.\n', /no delivery/],
    [
      'an out-of-office reply',
      'From: a@example.com\nAuto-Submitted: auto-replied\nSubject: Out of office\n\nBack on Monday.\n',
      /automatic reply/,
    ],
    ['a report of successful delivery', report('2.0.0', 'delivered'), /reports no failure/],
    [
      'an abuse feedback report',
      'From: a@example.com\nContent-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x\nContent-Type: text/plain\n\nspam\n--x--\n',
      /feedback/,
    ],
  ])('%s: isBounce false, with the reason', async (_name, message, reason) => {
    const answer = await parseBounceMessage(message);
    expect(answer.isBounce).toBe(false);
    expect(!answer.isBounce && answer.reason).toMatch(reason);
  });

  it("Gmail's Remote-MTA with its comment: the host alone", async () => {
    const gmail = report('5.1.1', 'failed').replace(
      'Status: 5.1.1',
      'Status: 5.1.1\nRemote-MTA: dns; mx1.example.com. (192.0.2.7, the server for the domain\n example.com.)\nDiagnostic-Code: smtp; 550 5.1.1 no such user',
    );
    const answer = await parseBounceMessage(gmail);
    expect(answer.isBounce && answer.recipients.map((r) => r.remoteMta)).toEqual(['mx1.example.com']);
  });

  it('a report without Action reads it from the status class', async () => {
    const answer = await parseBounceMessage(report('5.1.1', ''));
    expect(answer.isBounce && answer.recipients.map((r) => [r.action, r.status])).toEqual([['failed', '5.1.1']]);
  });
});

describe('hostile and malformed messages are refused clearly and fast', () => {
  const refusal = async (message: string) => {
    const started = performance.now();
    const error = await parseBounceMessage(message).then(
      () => null,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  };

  it('an empty message is bad input', async () => {
    const { error } = await refusal('  \n');
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('message');
  });

  it('bytes that are no mail at all: a clear refusal or "no bounce", never a crash', async () => {
    let seed = 7;
    const noise = Array.from({ length: 200_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return String.fromCharCode(seed % 256);
    }).join('');
    for (const message of [noise, `Subject: noise\n\n${noise}`]) {
      const { error, ms } = await refusal(message);
      if (error !== null) expect((error as DomainError).code).toMatch(/^(BAD_USER_INPUT|MESSAGE_TOO_COMPLEX)$/);
      else expect((await parseBounceMessage(message)).isBounce).toBe(false);
      expect(ms).toBeLessThan(2_000);
    }
  });

  it('a message over the size limit: MESSAGE_TOO_LARGE, before any parsing', async () => {
    const { error, ms } = await refusal(`Subject: x\n\n${'a'.repeat(MESSAGE_LIMITS.bytes)}`);
    expect(error).toBeInstanceOf(MessageLimitError);
    expect((error as MessageLimitError).code).toBe('MESSAGE_TOO_LARGE');
    expect(ms).toBeLessThan(1_000);
  });

  it('a report returning a big original: read, with only the head of the original parsed', async () => {
    const dsn = fixture('postfix-local-unknown-user.eml');
    const cut = dsn.lastIndexOf('\n--');
    const filler = `${'x'.repeat(76)}\n`.repeat(Math.floor((MESSAGE_LIMITS.bytes - dsn.length) / 77));
    const started = performance.now();
    const answer = await parseBounceMessage(`${dsn.slice(0, cut)}\n${filler}${dsn.slice(cut)}`);
    expect(answer.isBounce && answer.recipients.map((r) => r.status)).toEqual(['5.0.999']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('multiparts nested past the limit: MESSAGE_TOO_COMPLEX', async () => {
    const depth = MESSAGE_LIMITS.nesting + 5;
    let message = 'Content-Type: text/plain\n\nbottom\n';
    for (let i = 0; i < depth; i++)
      message = `Content-Type: multipart/mixed; boundary="n${i}"\n\n--n${i}\n${message}--n${i}--\n`;
    const { error, ms } = await refusal(`Subject: deep\nMIME-Version: 1.0\n${message}`);
    expect((error as MessageLimitError).code).toBe('MESSAGE_TOO_COMPLEX');
    expect(ms).toBeLessThan(2_000);
  });

  it('headers past the limit: MESSAGE_TOO_COMPLEX', async () => {
    const huge = Array.from({ length: 2_000 }, (_, i) => `X-Filler-${i}: ${'h'.repeat(60)}`).join('\n');
    const { error, ms } = await refusal(`${huge}\nSubject: x\n\nbody\n`);
    expect((error as MessageLimitError).code).toBe('MESSAGE_TOO_COMPLEX');
    expect(ms).toBeLessThan(2_000);
  });

  it('more parts than the limit: MESSAGE_TOO_COMPLEX', async () => {
    const parts = Array.from({ length: MESSAGE_LIMITS.parts * 3 }, () => '--p\nContent-Type: text/plain\n\nx\n').join(
      '',
    );
    const { error, ms } = await refusal(`Content-Type: multipart/mixed; boundary=p\n\n${parts}--p--\n`);
    expect((error as MessageLimitError).code).toBe('MESSAGE_TOO_COMPLEX');
    expect(ms).toBeLessThan(2_000);
  });

  it('text built to make the readers backtrack is read within the bound', async () => {
    const hostile = `${'<'.repeat(100_000)}\n${'a'.repeat(100_000)}@\n(reason:${' (reason:'.repeat(20_000)}\n`;
    const started = performance.now();
    const answer = await parseBounceMessage(`Subject: x\n\nThis is the mail system at host x.\n\n<a@b.c>: ${hostile}`);
    expect(answer.isBounce && answer.recipients.map((r) => r.recipient)).toEqual(['a@b.c']);
    const html = await parseBounceMessage(`Subject: x\nContent-Type: text/html\n\n${'<b>'.repeat(100_000)}`);
    expect(html.isBounce).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
