import { parseBounceMessage } from '../domain/bounceMessage/parse.js';
import type { BouncedRecipient, BounceFormat } from '../domain/bounceMessage/report.js';
import { normaliseReply, parseReplyCodes } from '../domain/reply.js';
import type { Classification } from '../../projections/matcher.js';
import type { Classifier } from './classifier.js';

export interface ClassifiedRecipient extends BouncedRecipient {
  /** classify's verdict on the diagnostic text, the ISP found from the recipient's domain. */
  readonly classification: Classification;
}

export interface ClassifiedMessage {
  readonly isBounce: boolean;
  readonly format: BounceFormat | null;
  /** Why the message is no bounce; null for a bounce. */
  readonly reason: string | null;
  readonly reportingMta: string | null;
  readonly recipients: readonly ClassifiedRecipient[];
}

/** A whole bounce message in; every failed recipient out, with the verdict on its reply. */
export async function classifyBounceMessage(classifier: Classifier, message: string): Promise<ClassifiedMessage> {
  const report = await parseBounceMessage(message);
  if (!report.isBounce)
    return { isBounce: false, format: null, reason: report.reason, reportingMta: null, recipients: [] };
  const recipients = report.recipients.map((failure) => ({
    ...failure,
    classification: classifier.classify({ reply: replyOf(failure), recipient: failure.recipient }),
  }));
  return { isBounce: true, format: report.format, reason: null, reportingMta: report.reportingMta, recipients };
}

/**
 * The text classify reads for one recipient: the diagnostic, led by the report's status when the text
 * carries no code of its own ("unknown user" with Status 5.1.1), else by the generic code of the action
 * (RFC 3463 5.0.0 failed, 4.0.0 delayed), so a delay without a reply is never taken for a failure.
 */
function replyOf(failure: BouncedRecipient): string {
  const text = failure.diagnostic ?? '';
  const codes = parseReplyCodes(normaliseReply(text));
  if (codes.replyCode !== null || codes.enhancedStatusCode !== null) return text;
  const status = failure.status ?? (failure.action === 'delayed' ? '4.0.0' : '5.0.0');
  return `${status} ${text}`.trim();
}
