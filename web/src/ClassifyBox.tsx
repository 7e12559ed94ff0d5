import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { type ApiError, apiError } from './client';
import { ClassifyDocument, type ClassifyQuery } from './generated/graphql';
import { ErrorBanner, TypeBadge, typeName } from './ui';

export function ClassifyBox() {
  const client = useClient();
  const [reply, setReply] = useState('');
  const [recipient, setRecipient] = useState('');
  const [verdict, setVerdict] = useState<ClassifyQuery['classify'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await client.query(
      ClassifyDocument,
      { reply, recipient: recipient.trim() || null },
      { requestPolicy: 'network-only' },
    );
    setError(apiError(answer.error));
    setVerdict(answer.data?.classify ?? null);
  };
  return (
    <section aria-labelledby="classify-title">
      <h2 id="classify-title">Classify a reply</h2>
      <form onSubmit={submit} aria-label="Classify">
        <div className="field">
          <label htmlFor="c-reply">SMTP reply</label>
          <textarea id="c-reply" rows={4} value={reply} onChange={(e) => setReply(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="c-recipient">Recipient (its domain picks the ISP)</label>
          <input id="c-recipient" value={recipient} onChange={(e) => setRecipient(e.target.value)} />
        </div>
        <button type="submit" className="primary">
          Classify
        </button>
      </form>
      <ErrorBanner error={error} />
      {verdict && (
        <dl className="verdict" aria-label="Verdict">
          <dt>Verdict</dt>
          <dd>
            <TypeBadge type={verdict.type} /> {typeName(verdict.type)}
          </dd>
          <dt>Decided by</dt>
          <dd>
            {verdict.pattern
              ? `pattern “${verdict.pattern.name}” (version ${verdict.pattern.version})`
              : verdict.matchedBy === 'REPLY_CODE'
                ? 'the reply code (no pattern matched)'
                : 'nothing matched'}
          </dd>
          <dt>ISP</dt>
          <dd>{verdict.isp?.name ?? 'none (All-ISPs patterns only)'}</dd>
          <dt>Message</dt>
          <dd>{verdict.message}</dd>
          <dt>Codes</dt>
          <dd>{[verdict.replyCode, verdict.enhancedStatusCode].filter(Boolean).join(' ') || '—'}</dd>
          <dt>Ruleset version</dt>
          <dd>{verdict.rulesetVersion ?? '—'}</dd>
        </dl>
      )}
    </section>
  );
}
