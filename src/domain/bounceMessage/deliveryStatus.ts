import { addressIn, type BouncedRecipient, enhancedCodeIn, hostSaid, oneLine } from './report.js';

/** The fields of a `message/delivery-status` body (RFC 3464 §2): one per-message block, then one per recipient. */
export interface DeliveryStatus {
  readonly reportingMta: string | null;
  /** Every recipient the report names, whatever its action. */
  readonly recipients: readonly (BouncedRecipient | DeliveredRecipient)[];
}

interface DeliveredRecipient {
  readonly recipient: string;
  readonly action: 'delivered' | 'relayed' | 'expanded';
}

export const isFailure = (entry: BouncedRecipient | DeliveredRecipient): entry is BouncedRecipient =>
  entry.action === 'failed' || entry.action === 'delayed';

export function parseDeliveryStatus(body: string): DeliveryStatus {
  const blocks = body
    .split(/\r?\n[ \t]*\r?\n/)
    .map(fieldsOf)
    .filter((fields) => fields.size > 0);
  const perMessage = blocks[0]?.has('reporting-mta') ? blocks.shift()! : new Map<string, string>();
  const recipients = blocks.flatMap((fields) => {
    const entry = recipientOf(fields);
    return entry === null ? [] : [entry];
  });
  return { reportingMta: hostOf(perMessage.get('reporting-mta')), recipients };
}

/** `Name: value` lines, folded lines joined; names lower-cased; the first of a repeated field wins. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let name: string | null = null;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name !== null) {
      fields.set(name, `${fields.get(name)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    if (fields.has(name)) name = null;
    else fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

/** `dns; mx.example.com` → `mx.example.com`; `smtp; 550 …` → `550 …`. */
function typedValue(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semicolon = value.indexOf(';');
  const text = oneLine(semicolon >= 0 && semicolon < 20 ? value.slice(semicolon + 1) : value);
  return text === '' ? null : text;
}

/** Gmail writes `dns; mx.example.com. (192.0.2.1, the server for the domain example.com.)`: the host alone. */
function hostOf(value: string | undefined): string | null {
  const text = typedValue(value);
  return text === null ? null : text.split(' ')[0]!.replace(/\.$/, '');
}

function recipientOf(fields: Map<string, string>): BouncedRecipient | DeliveredRecipient | null {
  const recipient = addressIn(fields.get('final-recipient') ?? fields.get('original-recipient') ?? '');
  if (recipient === null) return null;
  const status = enhancedCodeIn(fields.get('status') ?? null);
  const action = actionOf(fields.get('action'), status);
  if (action === null) return null;
  if (action !== 'failed' && action !== 'delayed') return { recipient, action };
  const diagnostic = typedValue(fields.get('diagnostic-code')) ?? supplementaryInfo(fields.get('x-supplementary-info'));
  const said = diagnostic === null ? null : hostSaid(diagnostic);
  return {
    recipient,
    action,
    status,
    remoteMta: hostOf(fields.get('remote-mta')) ?? said?.host ?? null,
    diagnostic: said?.reply ?? diagnostic,
  };
}

const ACTIONS = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'] as const;

/** The Action field; a report that omits it (as some do) is read from the status class. */
function actionOf(value: string | undefined, status: string | null): (typeof ACTIONS)[number] | null {
  const word = value?.trim().toLowerCase().split(/[\s(]/)[0];
  const action = ACTIONS.find((known) => known === word);
  if (action !== undefined) return action;
  if (status?.startsWith('5')) return 'failed';
  if (status?.startsWith('4')) return 'delayed';
  return null;
}

/** Exchange 2007 writes the remote reply there instead: `<mx.example.com #5.1.1 smtp;550 5.1.1 …>`. */
function supplementaryInfo(value: string | undefined): string | null {
  const reply = value === undefined ? undefined : /smtp;\s*(.*?)>?\s*$/i.exec(oneLine(value))?.[1];
  return reply === undefined || reply === '' ? null : reply;
}
