import { normaliseReply } from './reply.js';

/**
 * Replies as statistics keep them: grouped by a template in which the parts that differ between two
 * deliveries of the same failure (addresses, IPs, host names, queue ids, numbers) are masked, so that
 * no recipient address or local part is ever stored, and replies that differ only there fall together.
 */

/** The placeholders a template holds, and what each stands for in a suggested pattern. */
export const PLACEHOLDERS = {
  '{address}': '\\S+@\\S+',
  '{local}': '\\S+',
  '{ip}': '[0-9a-f.:]+',
  '{host}': '[a-z0-9.-]+',
  '{id}': '\\S+',
  '{n}': '\\d+',
} as const;

// One pass, the first alternative that matches at a position wins: enhanced status codes are kept
// (rules key on them), addresses go before host names (their domain is one), IPs before numbers.
// Numbers are masked only standing alone: digits in a token (TSS04, RL10134, AUP#5) are a reference
// code that rules look for, kept so that the sample replays under them.
const MASKED = new RegExp(
  [
    String.raw`(?<keep>(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w.]*\d))`,
    String.raw`(?<address>[^\s<>()\[\]"',;:@]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*)`,
    String.raw`(?<ip>(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\d)|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:]))`,
    String.raw`(?<host>(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?![\w-]))`,
    String.raw`(?<id>(?<![\w.-])(?=[\w.-]*\d)(?=[\w.-]*[a-z])[\w.-]{8,}(?![\w-]))`,
    String.raw`(?<n>(?<![\w#])\d+(?!\w))`,
  ].join('|'),
  'gi',
);
const LEADING_REPLY_CODE = /^[2-5]\d\d(?!\d)/;

export interface MaskedReply {
  /** Every variable part masked: what groups replies. */
  readonly template: string;
  /** The reply with only addresses and the recipient's local part masked: what an operator reads. */
  readonly example: string;
}

/**
 * Masks a reply. `localPart` is the recipient's local part when the request named an address: a
 * server that quotes it without its domain ("user jane.doe unknown") would otherwise leave it in clear.
 */
export function maskReply(raw: string, localPart: string | null = null): MaskedReply {
  let reply = normaliseReply(raw);
  if (localPart !== null && localPart.length >= 2) reply = replaceAllCaseless(reply, localPart, '{local}');
  const code = LEADING_REPLY_CODE.exec(reply)?.[0] ?? '';
  const rest = reply.slice(code.length);
  const template = rest.replace(MASKED, (match, ...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    if (groups.keep !== undefined) return match;
    if (groups.address !== undefined) return '{address}';
    if (groups.ip !== undefined) return '{ip}';
    if (groups.host !== undefined) return '{host}';
    if (groups.id !== undefined) return '{id}';
    return '{n}';
  });
  const example = rest.replace(MASKED, (match, ...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    return groups.address !== undefined ? `{local}${match.slice(match.lastIndexOf('@'))}` : match;
  });
  return { template: code + template, example: code + example };
}

/** The local part of a recipient address, or null for a bare domain. */
export function localPartOf(recipient: string | null | undefined): string | null {
  if (!recipient) return null;
  const address = recipient.trim().replace(/^<|>$/g, '');
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(0, at) : null;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
const PLACEHOLDER = /\{(?:address|local|ip|host|id|n)\}/g;

/**
 * A pattern that catches the template's replies: its text escaped, each placeholder a wildcard.
 * A starting point to try with `testPattern`, not a rule to save unread.
 */
export function suggestPattern(template: string): string {
  const literals = template.split(PLACEHOLDER).map((text) => text.replace(REGEX_SPECIAL, '\\$&'));
  const wildcards = (template.match(PLACEHOLDER) ?? []) as (keyof typeof PLACEHOLDERS)[];
  return literals.reduce(
    (pattern, text, i) => pattern + text + (i < wildcards.length ? PLACEHOLDERS[wildcards[i]!] : ''),
    '',
  );
}

function replaceAllCaseless(text: string, needle: string, replacement: string): string {
  const lower = text.toLowerCase();
  const target = needle.toLowerCase();
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(target); at >= 0; at = lower.indexOf(target, from)) {
    out += text.slice(from, at) + replacement;
    from = at + target.length;
  }
  return out + text.slice(from);
}
