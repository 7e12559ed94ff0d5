import {
  addressIn,
  type BounceAction,
  type BouncedRecipient,
  type BounceFormat,
  enhancedCodeIn,
  hostSaid,
  MAX_LINE,
  oneLine,
} from './report.js';

/**
 * Bounces without an RFC 3464 report: the text that Postfix, Exim, qmail, Sendmail, Exchange and Domino
 * write for people. Each reader recognises its MTA's wording and returns null when the text is not its own.
 */
export interface TextBounce {
  readonly format: BounceFormat;
  readonly reportingMta: string | null;
  readonly recipients: readonly BouncedRecipient[];
}

export function parseTextBounce(text: string): TextBounce | null {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.slice(0, MAX_LINE));
  for (const reader of READERS) {
    const found = reader(lines, text);
    if (found !== null && found.recipients.length > 0) return found;
  }
  return null;
}

interface Entry {
  readonly recipient: string;
  readonly detail: string[];
}

/**
 * Splits `lines` into one entry per recipient: `startOf` returns the recipient (and the rest of its line)
 * for a line that opens an entry; the lines up to the next one are its detail. Stops at `stop`.
 */
function entries(
  lines: readonly string[],
  startOf: (line: string) => { recipient: string; rest: string } | null,
  stop: (line: string) => boolean,
  isDetail: (line: string) => boolean = () => true,
): Entry[] {
  const found: { recipient: string; detail: string[] }[] = [];
  let open = false;
  for (const line of lines) {
    if (stop(line)) break;
    const start = startOf(line);
    if (start !== null) {
      found.push({ recipient: start.recipient, detail: start.rest.trim() === '' ? [] : [start.rest] });
      open = true;
    } else if (open && line.trim() !== '') {
      if (isDetail(line)) found.at(-1)!.detail.push(line);
      else open = false;
    }
  }
  return found;
}

function recipient(
  entry: Entry,
  action: BounceAction,
  diagnostic: string | null,
  remoteMta: string | null = null,
): BouncedRecipient {
  const text = diagnostic === null || oneLine(diagnostic) === '' ? null : oneLine(diagnostic);
  return { recipient: entry.recipient, action, status: enhancedCodeIn(text), remoteMta, diagnostic: text };
}

const indexOfLine = (lines: readonly string[], pattern: RegExp, from = 0): number => {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i]!)) return i;
  return -1;
};

/** `<user@example.com>: rest` (qmail, Postfix) and `<user@example.com> (expanded from <alias>): rest` (Postfix). */
function angleStart(line: string): { recipient: string; rest: string } | null {
  const match = /^<([^<>\s]+@[^<>\s]+)>(?: \(expanded from [^)]*\))?:\s*(.*)$/.exec(line);
  return match ? { recipient: match[1]!, rest: match[2]! } : null;
}

// Postfix: "This is the mail system at host mx.example.com." (before 2.3: "the Postfix program") then "<rcpt>: host mx[1.2.3.4] said: 550 …"
function postfix(lines: readonly string[], text: string): TextBounce | null {
  const intro = /This is the (?:mail system|Postfix program) at host (\S+?)\.?\s*$/m.exec(text);
  if (intro === null) return null;
  const action: BounceAction = /THIS IS A WARNING ONLY|could not be delivered for more than/i.test(text)
    ? 'delayed'
    : 'failed';
  const found = entries(lines, angleStart, (line) => /^(?:Reporting-MTA|Final-Recipient):/i.test(line));
  return {
    format: 'POSTFIX',
    reportingMta: intro[1]!,
    recipients: found.map((entry) => {
      const detail = oneLine(entry.detail.join(' '));
      const said = hostSaid(detail);
      if (said) return recipient(entry, action, said.reply, said.host);
      const host = /(?:connect to|conversation with|lost connection with) (\S+?)\[/.exec(detail)?.[1] ?? null;
      return recipient(entry, action, detail, host);
    }),
  };
}

// qmail: "Hi. This is the qmail-send program at …" then "<rcpt>:" paragraphs.
function qmail(lines: readonly string[], text: string): TextBounce | null {
  const intro = /This is the qmail-send program at (\S+?)\.?\s*$/m.exec(text);
  if (intro === null && !/I'm afraid I wasn't able to deliver your message/i.test(text)) return null;
  const found = entries(lines, angleStart, (line) => /^--- Below this line is a copy of the message/.test(line));
  return {
    format: 'QMAIL',
    reportingMta: intro?.[1] ?? null,
    recipients: found.map((entry) => {
      const detail = oneLine(entry.detail.join(' '));
      const remote = /Remote host said:\s*(.*?)(?:\s*Giving up on \S+)?$/.exec(detail);
      const host = /(?:Connected to|Giving up on|^)\s*(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(detail)?.[1] ?? null;
      return recipient(entry, 'failed', remote ? remote[1]! : detail, host);
    }),
  };
}

// Exim: "This message was created automatically by mail delivery software." then indented entries.
function exim(lines: readonly string[], text: string): TextBounce | null {
  const failed = indexOfLine(lines, /address(?:\(es\)|es)? failed:\s*$|could not be delivered to one or more/i);
  const delayed = indexOfLine(lines, /has not yet been delivered|have not yet been delivered/i);
  if (!/created automatically by mail delivery software/i.test(text) || (failed < 0 && delayed < 0)) return null;
  const action: BounceAction = failed >= 0 ? 'failed' : 'delayed';
  const start = indexOfLine(lines, /:\s*$/, failed >= 0 ? failed : delayed);
  const found = entries(
    lines.slice(start + 1),
    (line) => {
      const match = /^ {1,3}(\S+@\S+?)(?::\s*(.*))?$/.exec(line);
      const address = match ? addressIn(match[1]!) : null;
      return address ? { recipient: address, rest: match![2] ?? '' } : null;
    },
    (line) => /^-+ This is a copy|^No action is required|^Reporting-MTA:/i.test(line),
    (line) => /^(?: {4,}|\t)/.test(line),
  );
  return {
    format: 'EXIM',
    reportingMta: null,
    recipients: found.map((entry) => {
      const detail = oneLine(entry.detail.join(' ')).replace(/^Delay reason:\s*/i, '');
      const host = /\bhost (\S+?)\.? \[/.exec(detail)?.[1] ?? null;
      const smtp =
        /SMTP error from remote mail(?:er| server) after [^:]+?:(?:<[^>]*>:)?\s*(?:host \S+ \[[^\]]*\]:\s*)?(.*)$/i;
      const reply = smtp.exec(detail)?.[1];
      return recipient(entry, action, reply ?? detail.replace(/^host \S+ \[[^\]]*\]:?\s*/, ''), host);
    }),
  };
}

// Sendmail: "----- The following addresses had permanent fatal errors -----".
function sendmail(lines: readonly string[], text: string): TextBounce | null {
  const heading = indexOfLine(lines, /-{3,} The following addresses had (permanent fatal|transient non-fatal) errors/i);
  if (heading < 0) return null;
  const action: BounceAction = /transient non-fatal/i.test(lines[heading]!) ? 'delayed' : 'failed';
  const host = /while talking to ([^\s:]+?)\.?:/.exec(text)?.[1] ?? null;
  const transcript = lines
    .filter((line) => /^(?:<<< )?[45]\d\d[ -]/.test(line))
    .map((line) => line.replace(/^<<< /, ''));
  const found = entries(
    lines.slice(heading + 1),
    (line) => {
      const address = /^\s*<?[^\s<>]+@[^\s<>]+>?\s*$/.test(line) ? addressIn(line) : null;
      return address ? { recipient: address, rest: '' } : null;
    },
    (line) => /^\s*-{3,} /.test(line),
  );
  return {
    format: 'SENDMAIL',
    reportingMta: null,
    recipients: found.map((entry) => {
      const reason = /\(reason:\s*(.*)\)\s*$/.exec(oneLine(entry.detail.join(' ')))?.[1];
      const said = transcript.findLast((line) => line.includes(entry.recipient)) ?? transcript.at(-1) ?? null;
      return recipient(entry, action, reason ?? said, host);
    }),
  };
}

/** A line that is one address, as Exchange lists recipients: `user@example.com<mailto:user@example.com>`. */
function addressLine(line: string): { recipient: string; rest: string } | null {
  const trimmed = line.trim().replace(/<mailto:[^>]*>/i, '');
  const address = /^(?:'|")?([^\s'"<>]+@[^\s'"<>]+?)(?:'|")?(?: on \d.*)?$/.exec(trimmed)?.[1];
  return address === undefined ? null : { recipient: address, rest: '' };
}

// Exchange and Office 365: "Delivery has failed to these recipients or groups:", with a section
// "Diagnostic information for administrators:" holding each recipient's remote reply.
function exchange(lines: readonly string[], text: string): TextBounce | null {
  const intro =
    /Delivery (has failed|is delayed) to these recipients or (?:groups|distribution lists)|The following recipient\(s\) (?:cannot|could not) be reached|did not reach some or all of the intended recipients|couldn't be delivered/i.exec(
      text,
    );
  if (intro === null) return null;
  const action: BounceAction = /is delayed/i.test(intro[0]) ? 'delayed' : 'failed';
  const diagnostics = indexOfLine(lines, /^Diagnostic information for administrators:/i);
  const reportingMta = /^Generating server:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const from =
    diagnostics >= 0
      ? diagnostics + 1
      : indexOfLine(lines, /recipients or (?:groups|distribution lists):|be reached:/i) + 1;
  const found = entries(lines.slice(from), addressLine, (line) =>
    /^(?:Original message headers:|Received:|Return-Path:)/i.test(line),
  );
  return {
    format: 'EXCHANGE',
    reportingMta,
    recipients: found.map((entry) => {
      const detail = oneLine(entry.detail.join(' '));
      const remote = /Remote Server (?:at (\S+)(?: \([^)]*\))? )?returned '(.*?)'(?:\s|$)/i.exec(detail);
      if (remote) return recipient(entry, action, remote[2]!, remote[1] ?? null);
      const legacy = /<(\S+) #(\d\.\d{1,3}\.\d{1,3}) (?:smtp;)?(.*?)>/.exec(detail);
      if (legacy) return recipient(entry, action, legacy[3] || legacy[2]!, legacy[1]!);
      const hashed = /^(?:(\S+) )?#(.*?)(?:##|$)/.exec(detail);
      if (hashed) return recipient(entry, action, hashed[2]!, hashed[1] ?? null);
      return recipient(entry, action, detail || null);
    }),
  };
}

// Lotus/HCL Domino: "Your message … was not delivered to: <rcpt> because: <reason>".
function domino(lines: readonly string[]): TextBounce | null {
  const to = indexOfLine(lines, /^\s*was not delivered to:\s*$/i);
  const because = indexOfLine(lines, /^\s*because:\s*$/i, to + 1);
  if (to < 0 || because < 0) return null;
  const reason = lines.slice(because + 1);
  const end = reason.findIndex((line, i) => line.trim() === '' && reason.slice(0, i).some((l) => l.trim() !== ''));
  const diagnostic = reason.slice(0, end < 0 ? undefined : end).join(' ');
  const recipients = lines
    .slice(to + 1, because)
    .map((line) => addressIn(line))
    .filter((address): address is string => address !== null)
    .map((address) => recipient({ recipient: address, detail: [] }, 'failed', diagnostic));
  return { format: 'DOMINO', reportingMta: null, recipients };
}

const READERS: readonly ((lines: readonly string[], text: string) => TextBounce | null)[] = [
  postfix,
  qmail,
  exim,
  sendmail,
  exchange,
  domino,
];
