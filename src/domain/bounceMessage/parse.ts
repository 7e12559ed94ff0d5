import PostalMime, { type Email } from 'postal-mime';
import { MessageLimitError, ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { isFailure, parseDeliveryStatus } from './deliveryStatus.js';
import { parseTextBounce } from './plainText.js';
import type { BouncedRecipient, BounceReport } from './report.js';

/** Bounds on a bounce message, checked before and while it is parsed: a hostile message is refused, fast. */
export const MESSAGE_LIMITS = {
  /** UTF-8 bytes; a bounce that carries a big original is cut to this by the pipe command. */
  bytes: 512 * 1024,
  /** Header bytes of all parts together. */
  headerBytes: 64 * 1024,
  /** Multipart nesting levels. */
  nesting: 16,
  /** Parts of any kind. */
  parts: 200,
  /**
   * Bytes read: the report and the readable text come first, the returned original last; past this the
   * original is not read (parsing all of a 512 KiB message would hold the event loop for about 100 ms).
   */
  window: 128 * 1024,
} as const;

const REPORT_TYPES = /^message\/(?:global-)?delivery-status$/i;

/**
 * Reads a whole bounce message: the RFC 3464 report when it has one, else the human-readable text of a
 * known MTA. Answers `isBounce: false` with the reason for anything else.
 */
export async function parseBounceMessage(raw: string): Promise<BounceReport> {
  const email = await parseMime(raw);
  const statuses = email.attachments
    .filter((part) => REPORT_TYPES.test(part.mimeType))
    .map((part) => parseDeliveryStatus(String(part.content)));
  const named = statuses.flatMap((status) => status.recipients);
  const text = email.text ?? htmlText(email.html ?? '');
  if (named.length > 0) {
    const failures = named.filter(isFailure);
    if (failures.length === 0)
      return {
        isBounce: false,
        reason: 'a delivery status notification that reports no failure (delivered or relayed)',
      };
    return {
      isBounce: true,
      format: 'DSN',
      reportingMta: statuses.find((status) => status.reportingMta !== null)?.reportingMta ?? null,
      recipients: bounded(withTextDetails(failures, text)),
    };
  }
  const found = parseTextBounce(text);
  if (found !== null) return { isBounce: true, ...found, recipients: bounded(found.recipients) };
  return {
    isBounce: false,
    reason:
      notABounce(email) ??
      'no delivery status report and no known bounce text (Postfix, Exim, qmail, Sendmail, Exchange, Domino)',
  };
}

async function parseMime(raw: string): Promise<Email> {
  if (raw.trim() === '') throw new ValidationError('message', 'is empty');
  const bytes = Buffer.byteLength(raw);
  if (bytes > MESSAGE_LIMITS.bytes)
    throw new MessageLimitError(
      'MESSAGE_TOO_LARGE',
      `message: ${bytes} bytes is over the limit of ${MESSAGE_LIMITS.bytes}; cut it (the report comes first)`,
      MESSAGE_LIMITS.bytes,
    );
  const read = head(raw, MESSAGE_LIMITS.window);
  // Every part opens with a boundary line: counting them bounds the parser's work before it starts.
  const boundaries = read.match(/^--\S/gm)?.length ?? 0;
  if (boundaries > MESSAGE_LIMITS.parts * 2)
    throw new MessageLimitError(
      'MESSAGE_TOO_COMPLEX',
      `message: more than ${MESSAGE_LIMITS.parts} MIME parts`,
      MESSAGE_LIMITS.parts,
    );
  let email: Email;
  try {
    email = await PostalMime.parse(read, {
      attachmentEncoding: 'utf8',
      // The returned original is evidence, not content: never parsed as a message of its own.
      rfc822Attachments: true,
      maxRfc822NestingDepth: 0,
      maxNestingDepth: MESSAGE_LIMITS.nesting,
      maxHeadersSize: MESSAGE_LIMITS.headerBytes,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/nesting depth/i.test(reason))
      throw new MessageLimitError('MESSAGE_TOO_COMPLEX', `message: ${reason}`, MESSAGE_LIMITS.nesting);
    if (/header size/i.test(reason))
      throw new MessageLimitError('MESSAGE_TOO_COMPLEX', `message: ${reason}`, MESSAGE_LIMITS.headerBytes);
    throw new ValidationError('message', `is not a readable MIME message: ${reason}`);
  }
  if (email.attachments.length > MESSAGE_LIMITS.parts)
    throw new MessageLimitError(
      'MESSAGE_TOO_COMPLEX',
      `message: ${email.attachments.length} parts is over the limit of ${MESSAGE_LIMITS.parts}`,
      MESSAGE_LIMITS.parts,
    );
  return email;
}

/** The first `bytes` (UTF-16 units, at least as many bytes) of a message, cut after a line break. */
function head(raw: string, bytes: number): string {
  if (raw.length <= bytes) return raw;
  const cut = raw.lastIndexOf('\n', bytes);
  return raw.slice(0, cut > 0 ? cut + 1 : bytes);
}

/** What a message that is no bounce is instead, when its headers say so (bounces are auto-replied too). */
function notABounce(email: Email): string | null {
  const header = (name: string) => email.headers.find((h) => h.key === name)?.value ?? '';
  if (/report-type=["']?feedback-report/i.test(header('content-type')))
    return 'a feedback (abuse) report, not a delivery failure';
  if (
    /^auto-replied/i.test(header('auto-submitted')) ||
    /^(?:out of office|automatic reply|auto:)/i.test(email.subject ?? '')
  )
    return 'an automatic reply (out of office), not a delivery failure';
  return null;
}

/** Fills a report's missing diagnostic and remote MTA from the human-readable part, recipient by recipient. */
function withTextDetails(failures: readonly BouncedRecipient[], text: string): BouncedRecipient[] {
  if (failures.every((failure) => failure.diagnostic !== null)) return [...failures];
  const fromText = parseTextBounce(text)?.recipients ?? [];
  return failures.map((failure) => {
    if (failure.diagnostic !== null) return failure;
    const same = fromText.find((other) => other.recipient.toLowerCase() === failure.recipient.toLowerCase());
    return same ? { ...failure, diagnostic: same.diagnostic, remoteMta: failure.remoteMta ?? same.remoteMta } : failure;
  });
}

function bounded(recipients: readonly BouncedRecipient[]): readonly BouncedRecipient[] {
  if (recipients.length > LIMITS.classifyBatchSize)
    throw new MessageLimitError(
      'MESSAGE_TOO_COMPLEX',
      `message: reports ${recipients.length} recipients, over the limit of ${LIMITS.classifyBatchSize}`,
      LIMITS.classifyBatchSize,
    );
  return recipients;
}

/** The text of an HTML-only bounce, enough to read its recipients and replies (one pass: no regex on markup). */
function htmlText(html: string): string {
  let text = '';
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open < 0) {
      text += html.slice(at);
      break;
    }
    text += html.slice(at, open);
    const close = html.indexOf('>', open);
    if (close < 0) break;
    if (/^<\/?(?:br|p|div|tr|li|h\d)\b/i.test(html.slice(open, open + 5))) text += '\n';
    at = close + 1;
  }
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
