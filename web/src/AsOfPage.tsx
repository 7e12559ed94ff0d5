import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { type ApiError, apiError } from './client';
import { RulesAsOfDocument, type RulesAsOfQuery, type RevisionFieldsFragment } from './generated/graphql';
import { ErrorBanner, PatternText, TypeBadge, shown } from './ui';

/** The rules as they stood at a chosen moment, and what changed between then and now. */
export function AsOfPage() {
  const client = useClient();
  const [moment, setMoment] = useState('');
  const [position, setPosition] = useState('');
  const [answer, setAnswer] = useState<RulesAsOfQuery | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const asOf = position.trim() ? { position: position.trim() } : { at: new Date(moment).toISOString() };
    const result = await client.query(
      RulesAsOfDocument,
      { asOf, now: { at: new Date().toISOString() } },
      { requestPolicy: 'network-only' },
    );
    setError(apiError(result.error));
    setAnswer(result.data ?? null);
  };
  const diff = answer?.rulesetDiff;
  return (
    <section aria-labelledby="asof-title">
      <h2 id="asof-title">Rules as of a moment</h2>
      <form className="filters" onSubmit={submit} aria-label="Pick a moment">
        <div className="field">
          <label htmlFor="asof-at">Moment (your local time)</label>
          <input
            id="asof-at"
            type="datetime-local"
            step="1"
            value={moment}
            onChange={(e) => setMoment(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="asof-position">or log position</label>
          <input
            id="asof-position"
            inputMode="numeric"
            value={position}
            onChange={(e) => setPosition(e.target.value)}
          />
        </div>
        <button type="submit" disabled={!moment && !position.trim()}>
          Show the rules then
        </button>
      </form>
      <ErrorBanner error={error} />
      {answer && diff && (
        <>
          <h3>
            Changes from then (position {diff.from ?? 'start'}) to now (position {diff.to ?? '—'})
          </h3>
          {diff.added.length + diff.changed.length + diff.removed.length === 0 ? (
            <p>No change since then.</p>
          ) : (
            <ul className="diff" aria-label="Changes since then">
              {diff.added.map((p) => (
                <li key={p.id} className="added">
                  added since: <Rule p={p} />
                </li>
              ))}
              {diff.removed.map((p) => (
                <li key={p.id} className="removed">
                  removed since: <Rule p={p} />
                </li>
              ))}
              {diff.changed.map((c) => (
                <li key={c.pattern.id} className="changed">
                  changed since: <Rule p={c.pattern} /> —{' '}
                  {c.changes.map((f) => `${f.field}: ${shown(f.before)} → ${shown(f.after)}`).join('; ')}
                </li>
              ))}
            </ul>
          )}
          <h3>
            The {answer.bouncePatternsAsOf.patterns.length} patterns then (position{' '}
            {answer.bouncePatternsAsOf.position ?? 'before the first event'})
          </h3>
          <div className="table-wrap">
            <table aria-label="Patterns then">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Pattern</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {answer.bouncePatternsAsOf.patterns.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{p.name}</th>
                    <td>
                      <TypeBadge type={p.type} />
                    </td>
                    <td>
                      <PatternText pattern={p.pattern} />
                    </td>
                    <td className="num">{p.priority}</td>
                    <td>{p.enabled ? 'yes' : 'no'}</td>
                    <td className="num">{p.version}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Rule({ p }: { p: RevisionFieldsFragment }) {
  return (
    <>
      <strong>{p.name}</strong> <TypeBadge type={p.type} /> <PatternText pattern={p.pattern} />
    </>
  );
}
