import { type ReactNode, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useCan } from './App';
import { apiError, mutationId } from './client';
import { type AuditFieldsFragment, PatternHistoryDocument, RevertPatternDocument } from './generated/graphql';
import { href } from './router';
import { ErrorBanner, TypeBadge, shown, when } from './ui';

/** A pattern's history, field by field, with who, when and why; revert to any earlier version. */
export function HistoryPage({ id }: { id: string }) {
  const canEdit = useCan('editPatterns');
  const [{ data, error }] = useQuery({ query: PatternHistoryDocument, variables: { id } });
  const [reverted, revert] = useMutation(RevertPatternDocument);
  const [reason, setReason] = useState('');
  const pattern = data?.bouncePattern;
  if (error) return <ErrorBanner error={apiError(error)} />;
  if (!data) return <p>Loading…</p>;
  if (!pattern) return <p role="alert">There is no pattern {id}.</p>;
  const entries = [...pattern.history].reverse();
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History of “{pattern.name}”</h2>
      <p>
        <TypeBadge type={pattern.type} /> version {pattern.version}
        {pattern.deleted && ' · in the trash'} · <a href={href('patterns')}>back to the patterns</a>
      </p>
      {canEdit && (
        <div className="field">
          <label htmlFor="revert-reason">Reason for a revert</label>
          <input id="revert-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      )}
      <ErrorBanner error={apiError(reverted.error)} />
      {reverted.data && (
        <p role="status" className="ok">
          Reverted: now version {reverted.data.revertBouncePattern.pattern.version}.
        </p>
      )}
      <ol className="history" reversed>
        {entries.map((entry) => (
          <HistoryEntry
            key={entry.eventId}
            entry={entry}
            canRevert={canEdit && !pattern.deleted && entry.version < pattern.version}
            onRevert={() =>
              revert({
                id: pattern.id,
                expectedVersion: pattern.version,
                toVersion: entry.version,
                reason: reason.trim() || `reverted to version ${entry.version} in the console`,
                clientMutationId: mutationId(),
              })
            }
          />
        ))}
      </ol>
    </section>
  );
}

export function HistoryEntry({
  entry,
  target,
  canRevert,
  onRevert,
}: {
  entry: AuditFieldsFragment;
  /** What the entry is about, in the audit log (a pattern's own history needs no such line). */
  target?: ReactNode;
  canRevert?: boolean;
  onRevert?: () => void;
}) {
  return (
    <li className="entry">
      {target && <p className="target">{target}</p>}
      <p>
        <strong>Version {entry.version}</strong> · {entry.eventType}
        {entry.revertedToVersion != null && ` (to version ${entry.revertedToVersion})`} · {when(entry.occurredAt)} by{' '}
        <strong>{entry.actor.name}</strong>
        {entry.reason && <> · “{entry.reason}”</>}
      </p>
      {entry.changes.length > 0 && (
        <table className="changes" aria-label={`Changes in version ${entry.version}`}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {entry.changes.map((c) => (
              <tr key={c.field}>
                <th scope="row">{c.field}</th>
                <td>{shown(c.before)}</td>
                <td>{shown(c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canRevert && (
        <button type="button" onClick={onRevert}>
          Revert to version {entry.version}
        </button>
      )}
    </li>
  );
}
