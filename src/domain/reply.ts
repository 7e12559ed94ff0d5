import { LIMITS } from './limits.js';

/** The codes an SMTP reply carries: `550` and `5.1.1` in "550 5.1.1 User unknown". */
export interface ReplyCodes {
  readonly replyCode: string | null;
  readonly enhancedStatusCode: string | null;
}

const LINE_BREAK = /\r\n|\n|\r/;
const WHITE_SPACE = /\s+/g;
/** A line's leading reply code: `550-` on a continuation, `550 ` on the last line. */
const LINE_REPLY_CODE = /^\s*([2-5]\d\d)(?:[ \t-]+|$)/;
/** RFC 3463 class.subject.detail, e.g. 5.1.1; not part of a longer dotted number (an IP, a version). */
const ENHANCED_CODE_AT_START = /^#?([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;
const ENHANCED_CODE_ANYWHERE = /(?:^|[\s#([])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;
const REPLY_CODE = /^([2-5]\d\d)(?!\d)/;
/**
 * What normalisation would change in one line: white space other than single spaces, a space at either
 * end, a reply code followed by a continuation dash or by more than one space.
 */
const NOT_NORMAL = /[^\S ]| {2}|^ | $|^[2-5]\d\d(?:$|-| -)/;

/**
 * Cut a reply to `LIMITS.replyLength` characters before anything else reads it, so a huge reply costs
 * no more than a long one. A cut never splits a surrogate pair.
 */
export function boundReply(raw: string): string {
  if (raw.length <= LIMITS.replyLength) return raw;
  const end = isHighSurrogate(raw.charCodeAt(LIMITS.replyLength - 1)) ? LIMITS.replyLength - 1 : LIMITS.replyLength;
  return raw.slice(0, end);
}

/**
 * One line, single spaces, no continuation prefixes: what patterns are matched against.
 * "550-5.1.1 The account\r\n550-5.1.1 does not\r\n550 5.1.1 exist" → "550 5.1.1 The account does not exist".
 * RFC 2034 repeats the enhanced code at the start of every line, so a continuation line's copy of the
 * first line's enhanced code goes with its reply code. A line led by another code is text, kept whole.
 */
export function normaliseReply(raw: string): string {
  const bounded = boundReply(raw);
  // Most replies are one line already in that form: one scan instead of the split and rejoin.
  if (!NOT_NORMAL.test(bounded)) return bounded;
  const lines = bounded.split(LINE_BREAK);
  const first = splitLeadingCodes(lines[0] ?? '');
  const parts: string[] = [first.replyCode === null ? first.text : `${first.replyCode} ${first.text}`];
  for (let i = 1; i < lines.length; i++) {
    const line = splitLeadingCodes(lines[i]!);
    if (first.replyCode === null || line.replyCode !== first.replyCode) parts.push(lines[i]!);
    else parts.push(line.enhancedCode !== null && line.enhancedCode === first.enhancedCode ? line.rest : line.text);
  }
  return parts.join(' ').replace(WHITE_SPACE, ' ').trim();
}

/** The reply code (`550`) and enhanced status code (`5.1.1`, also `#5.1.1`) of a normalised reply. */
export function parseReplyCodes(normalised: string): ReplyCodes {
  const replyCode = REPLY_CODE.exec(normalised)?.[1] ?? null;
  const enhancedStatusCode = ENHANCED_CODE_ANYWHERE.exec(normalised)?.[1] ?? null;
  return { replyCode, enhancedStatusCode };
}

interface LeadingCodes {
  readonly replyCode: string | null;
  readonly enhancedCode: string | null;
  /** The line without its reply code. */
  readonly text: string;
  /** The line without its reply code and enhanced code. */
  readonly rest: string;
}

function splitLeadingCodes(line: string): LeadingCodes {
  const reply = LINE_REPLY_CODE.exec(line);
  if (reply === null) return { replyCode: null, enhancedCode: null, text: line, rest: line };
  const text = line.slice(reply[0].length);
  const enhanced = ENHANCED_CODE_AT_START.exec(text);
  const rest = enhanced === null ? text : text.slice(enhanced[0].length);
  return { replyCode: reply[1]!, enhancedCode: enhanced?.[1] ?? null, text, rest };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
