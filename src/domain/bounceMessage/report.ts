import { LIMITS } from '../limits.js';

/** What a bounce message says about each recipient it could not deliver to. */

/** RFC 3464 actions that report a failure; `delivered`, `relayed` and `expanded` are no bounce. */
export type BounceAction = 'failed' | 'delayed';

/** Where the recipients were read from: the RFC 3464 report, or the human-readable text of an MTA. */
export type BounceFormat = 'DSN' | 'POSTFIX' | 'EXIM' | 'QMAIL' | 'SENDMAIL' | 'EXCHANGE' | 'DOMINO';

export interface BouncedRecipient {
  /** The address, lower-cased domain kept as written. */
  readonly recipient: string;
  readonly action: BounceAction;
  /** RFC 3463 enhanced status code (`5.1.1`): the report's Status, or the one the diagnostic text carries. */
  readonly status: string | null;
  /** The server that refused, as the bounce names it (`mx.example.com`). */
  readonly remoteMta: string | null;
  /** The reply or the reason as the bounce states it, on one line. */
  readonly diagnostic: string | null;
}

export type BounceReport =
  | {
      readonly isBounce: true;
      readonly format: BounceFormat;
      /** The MTA that wrote the bounce (Reporting-MTA, or the host its text names). */
      readonly reportingMta: string | null;
      readonly recipients: readonly BouncedRecipient[];
    }
  | { readonly isBounce: false; readonly reason: string };

const ADDRESS = /[^\s<>()"'`,;:[\]]+@[^\s<>()"'`,;:[\]]+\.[^\s<>()"'`,;:[\]]+/;

/** The address in `rfc822; <User@Example.com>`, `<a@b.c>:` or `a@b.c<mailto:a@b.c>`; null when there is none. */
export function addressIn(text: string): string | null {
  // Bounded: the pattern backtracks over a long word without '@'; no address is this long.
  const found = ADDRESS.exec(text.slice(0, MAX_LINE))?.[0];
  return found === undefined ? null : found.replace(/\.+$/, '');
}

/** Longest line the readers look at; SMTP lines are at most 512 characters. */
export const MAX_LINE = 1_000;

/**
 * Joins folded and wrapped lines into one line of single spaces, cut to the length `classify` reads
 * (LIMITS.replyLength), so the readers' patterns never run on more.
 */
export function oneLine(text: string): string {
  return text
    .slice(0, LIMITS.replyLength * 2)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, LIMITS.replyLength);
}

const ENHANCED_CODE = /(?:^|[\s#([;'-])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;

/** The first RFC 3463 code a text carries (`5.1.1`), or null. */
export function enhancedCodeIn(text: string | null): string | null {
  return text === null ? null : (ENHANCED_CODE.exec(text)?.[1] ?? null);
}

/**
 * Postfix's account of a remote reply, `host mx.example.com[192.0.2.1] said: 550 … (in reply to RCPT TO command)`,
 * in its reports' Diagnostic-Code and its readable text: the host, and the reply alone.
 */
export function hostSaid(text: string): { host: string; reply: string } | null {
  const said = /^host (\S+?)\[[^\]]*\] said:\s*(.*?)(?:\s*\(in reply to [^)]*\))?$/.exec(text);
  return said ? { host: said[1]!, reply: said[2]! } : null;
}
