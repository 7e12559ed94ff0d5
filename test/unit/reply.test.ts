import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import { boundReply, normaliseReply, parseReplyCodes } from '../../src/domain/reply.js';

describe('normaliseReply', () => {
  it('joins a multi-line reply, keeping the first code and dropping the continuation prefixes', () => {
    const gmail = [
      '550-5.1.1 The email account that you tried to reach does not exist. Please try',
      "550-5.1.1 double-checking the recipient's email address for typos or",
      '550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser',
    ].join('\r\n');
    expect(normaliseReply(gmail)).toBe(
      "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser",
    );
  });

  it('joins lines separated by a bare newline and drops a continuation prefix without enhanced code', () => {
    expect(normaliseReply('550-Mailbox unavailable\n550 User unknown')).toBe('550 Mailbox unavailable User unknown');
  });

  it('keeps a continuation line whole when it starts with another code (it is text, not a prefix)', () => {
    expect(normaliseReply('550 Rejected:\n250 messages were queued')).toBe('550 Rejected: 250 messages were queued');
  });

  it('keeps an enhanced code on a continuation line when it differs from the first line’s', () => {
    expect(normaliseReply('550-5.1.1 No such user\n550 5.7.1 and blocked')).toBe(
      '550 5.1.1 No such user 5.7.1 and blocked',
    );
  });

  it('answers a one-line reply already in normal form as it is, and normalises the near misses', () => {
    for (const reply of ['550 5.1.1 User unknown', 'User unknown', '5500 x', '550x y'])
      expect(normaliseReply(reply)).toBe(reply);
    expect(normaliseReply('550 -5.1.1 User unknown')).toBe('550 5.1.1 User unknown');
    expect(normaliseReply('550-5.1.1 User unknown')).toBe('550 5.1.1 User unknown');
    expect(normaliseReply('550  User unknown')).toBe('550 User unknown');
    expect(normaliseReply(' 550 User unknown')).toBe('550 User unknown');
    expect(normaliseReply('550 User unknown ')).toBe('550 User unknown');
    expect(normaliseReply('550 User\u00a0unknown')).toBe('550 User unknown');
    expect(normaliseReply('550')).toBe('550');
  });

  it('collapses white space and trims', () => {
    expect(normaliseReply('  452   4.2.2 \t Mailbox\u00a0 full  \n')).toBe('452 4.2.2 Mailbox full');
  });

  it('leaves a reply without code as it is, apart from white space', () => {
    expect(normaliseReply('Recipient address rejected:  User unknown')).toBe(
      'Recipient address rejected: User unknown',
    );
  });

  it('cuts a 1 MB reply to the reply length limit before the work', () => {
    const huge = `550 5.7.1 ${'x'.repeat(1_000_000)}`;
    const normalised = normaliseReply(huge);
    expect(normalised.length).toBe(LIMITS.replyLength);
    expect(normalised.startsWith('550 5.7.1 xxx')).toBe(true);
  });

  it('never cuts a surrogate pair in half', () => {
    const reply = `${'a'.repeat(LIMITS.replyLength - 1)}😀 tail`;
    const bounded = boundReply(reply);
    expect(bounded).toBe('a'.repeat(LIMITS.replyLength - 1));
    expect(boundReply('short')).toBe('short');
  });
});

describe('parseReplyCodes', () => {
  const codes = (reply: string) => parseReplyCodes(normaliseReply(reply));

  it('reads the reply code and the enhanced status code after it', () => {
    expect(codes('550 5.1.1 <user@example.com>: Recipient address rejected')).toEqual({
      replyCode: '550',
      enhancedStatusCode: '5.1.1',
    });
  });

  it('reads the codes of a multi-line reply', () => {
    expect(codes('421-4.7.0 Try again later\r\n421 4.7.0 closing connection')).toEqual({
      replyCode: '421',
      enhancedStatusCode: '4.7.0',
    });
  });

  it('reads an enhanced code in the #5.1.1 form', () => {
    expect(codes('550 Requested action not taken: mailbox unavailable (#5.1.1)')).toEqual({
      replyCode: '550',
      enhancedStatusCode: '5.1.1',
    });
  });

  it('reads three-digit enhanced code parts', () => {
    expect(codes('550 5.7.606 Access denied, banned sending IP')).toEqual({
      replyCode: '550',
      enhancedStatusCode: '5.7.606',
    });
  });

  it('reads an enhanced code without reply code', () => {
    expect(codes('4.2.2 mailbox full')).toEqual({ replyCode: null, enhancedStatusCode: '4.2.2' });
  });

  it('reports no code when the reply has none', () => {
    expect(codes('Mailbox full')).toEqual({ replyCode: null, enhancedStatusCode: null });
  });

  it('does not take a number, an IP address or a version for a code', () => {
    expect(codes('5501 too many recipients')).toEqual({ replyCode: null, enhancedStatusCode: null });
    expect(codes('550 blocked: 5.1.1.12 is listed')).toEqual({ replyCode: '550', enhancedStatusCode: null });
    expect(codes('550 relay 15.1.1 denied')).toEqual({ replyCode: '550', enhancedStatusCode: null });
  });
});
