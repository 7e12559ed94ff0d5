import { describe, expect, it } from 'vitest';
import { RecentSample } from '../../src/domain/recentSample.js';
import { compilePattern } from '../../src/domain/regex.js';
import { localPartOf, maskReply, suggestPattern } from '../../src/domain/replyTemplate.js';
import { sampledReply } from '../support/sampledReply.js';

describe('maskReply', () => {
  it('masks addresses, IPs, host names, queue ids and numbers, keeping the reply and enhanced codes', () => {
    const { template, example } = maskReply(
      '421-4.7.0 [203.0.113.7] deferred, queue id 4XyZ7b2Kq1z\r\n421 4.7.0 for <jane.doe@gmail.com> at mx1.example.net (2001:db8::1) after 30 s',
    );
    expect(template).toBe('421 4.7.0 [{ip}] deferred, queue id {id} for <{address}> at {host} ({ip}) after {n} s');
    expect(example).toBe(
      '421 4.7.0 [203.0.113.7] deferred, queue id 4XyZ7b2Kq1z for <{local}@gmail.com> at mx1.example.net (2001:db8::1) after 30 s',
    );
  });

  it('merges replies that differ only in masked parts', () => {
    const a = maskReply('550 5.1.1 <alice@example.com>: user unknown (queue A1B2C3D4E5, 10.0.0.1)');
    const b = maskReply('550 5.1.1 <bob.smith@example.org>: user unknown (queue ZZ99YY88XX, 192.168.1.20)');
    expect(a.template).toBe(b.template);
    expect(maskReply('550 5.1.1 user unknown').template).not.toBe(maskReply('550 5.2.2 user unknown').template);
  });

  it('masks the recipient’s local part wherever the reply quotes it, in any case', () => {
    const masked = maskReply(
      '550 mailbox JDoe42 unavailable: jdoe42 has no account',
      localPartOf('<jdoe42@example.com>'),
    );
    expect(masked.template).not.toMatch(/jdoe/i);
    expect(masked.example).not.toMatch(/jdoe/i);
    expect(localPartOf('example.com')).toBeNull();
  });
});

describe('suggestPattern', () => {
  it('escapes the template’s text and turns placeholders into wildcards that match the masked replies', () => {
    const reply = '550 5.1.1 <jane@gmail.com>: see https://support.example.com/x?p=1 [ts04] (id abc123def) 42 times';
    const { template, example } = maskReply(reply);
    const pattern = suggestPattern(template);
    const regex = compilePattern(pattern);
    expect(regex.test(example)).toBe(true);
    expect(
      regex.test(
        maskReply('550 5.1.1 <bob@x.org>: see https://a.example.org/x?p=7 [ts04] (id zz99yy88) 7 times').example,
      ),
    ).toBe(true);
    expect(regex.test('550 5.1.1 something else')).toBe(false);
  });
});

describe('RecentSample', () => {
  const entry = (key: string, count: number, lastSeenAt: number) => sampledReply(key, lastSeenAt, count);

  it('adds up a template seen again and drops the least recently seen past its capacity', () => {
    const sample = new RecentSample(2);
    sample.add(entry('a', 1, 1));
    sample.add(entry('b', 1, 2));
    sample.add(entry('a', 3, 3));
    sample.add(entry('c', 1, 4));
    expect(sample.entries().map((e) => [e.key, e.count])).toEqual([
      ['a', 4],
      ['c', 1],
    ]);
  });
});
