import { type FormEvent, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { type ApiError, apiError } from './client';
import {
  type AuditLogFilter,
  AuditLogDocument,
  VerifyAuditTrailDocument,
  type VerifyAuditTrailQuery,
} from './generated/graphql';
import { HistoryEntry } from './HistoryPage';
import { useRefetchOnChange } from './live';
import { ErrorBanner, usePages } from './ui';

const PAGE = 50;
const iso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

export function AuditPage() {
  const [draft, setDraft] = useState({ actor: '', patternId: '', eventTypes: '', from: '', to: '' });
  const [filter, setFilter] = useState<AuditLogFilter>({});
  const pages = usePages();
  const [{ data, error }, refetch] = useQuery({
    query: AuditLogDocument,
    variables: { filter, first: PAGE, after: pages.after },
  });
  useRefetchOnChange(refetch);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const types = draft.eventTypes
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    setFilter({
      ...(draft.actor.trim() && { actor: draft.actor.trim() }),
      ...(draft.patternId.trim() && { patternId: draft.patternId.trim() }),
      ...(types.length > 0 && { eventTypes: types }),
      ...(draft.from && { from: iso(draft.from) }),
      ...(draft.to && { to: iso(draft.to) }),
    });
    pages.reset();
  };
  const input = (key: keyof typeof draft, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`a-${key}`}>{label}</label>
      <input
        id={`a-${key}`}
        type={type}
        value={draft[key]}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
      />
    </div>
  );
  const log = data?.auditLog;
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <VerifyTrail />
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        {input('actor', 'Actor id')}
        {input('patternId', 'Pattern id')}
        {input('eventTypes', 'Event types (comma separated)')}
        {input('from', 'From', 'datetime-local')}
        {input('to', 'To', 'datetime-local')}
        <button type="submit">Apply filters</button>
      </form>
      <ErrorBanner error={apiError(error)} />
      {log && <p className="count">{log.totalCount === 1 ? '1 entry' : `${log.totalCount} entries`}, newest first</p>}
      <ol className="history">
        {log?.edges.map(({ node }) => (
          <HistoryEntry
            key={node.eventId}
            entry={node}
            target={
              <>
                #{node.position} · {node.aggregateType} <code>{node.aggregateId}</code>
              </>
            }
          />
        ))}
      </ol>
      {pages.pager('Audit pages', log?.pageInfo)}
    </section>
  );
}

function VerifyTrail() {
  const client = useClient();
  const [result, setResult] = useState<VerifyAuditTrailQuery['verifyAuditTrail'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    const answer = await client.query(VerifyAuditTrailDocument, {}, { requestPolicy: 'network-only' });
    setBusy(false);
    setError(apiError(answer.error));
    setResult(answer.data?.verifyAuditTrail ?? null);
  };
  return (
    <div className="verify">
      <button type="button" onClick={verify} disabled={busy}>
        Verify the audit trail
      </button>
      <ErrorBanner error={error} />
      {result && (
        <p role="status" className={result.ok ? 'ok' : 'error'}>
          {result.ok
            ? `Intact: ${result.eventsChecked} events checked, hash chain kept up to position ${result.headPosition ?? '—'}.`
            : `NOT intact: ${result.mismatches} mismatches${result.firstMismatch ? `, first at position ${result.firstMismatch.position} (${result.firstMismatch.streamId}: ${result.firstMismatch.reason})` : ''}.`}
        </p>
      )}
    </div>
  );
}
