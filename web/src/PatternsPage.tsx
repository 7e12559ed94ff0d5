import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useCan } from './App';
import { apiError, mutationId } from './client';
import {
  type BounceType,
  type BouncePatternFilter,
  type BouncePatternOrderField,
  DeletePatternDocument,
  EditPatternDocument,
  IspChoicesDocument,
  type Origin,
  type PatternFieldsFragment,
  PatternsDocument,
  type SortDirection,
} from './generated/graphql';
import { useRefetchOnChange } from './live';
import { href } from './router';
import { BOUNCE_TYPES, ErrorBanner, PatternText, TypeBadge, typeName, usePages } from './ui';

const PAGE = 25;
const ALL_ISPS = '*all*';

export function PatternsPage() {
  const canEdit = useCan('editPatterns');
  const canAudit = useCan('readAudit');
  const [type, setType] = useState<BounceType | ''>('');
  const [isp, setIsp] = useState('');
  const [origin, setOrigin] = useState<Origin | ''>('');
  const [enabled, setEnabled] = useState('');
  const [search, setSearch] = useState('');
  const [field, setField] = useState<BouncePatternOrderField>('PRIORITY');
  const [direction, setDirection] = useState<SortDirection>('ASC');
  const pages = usePages();
  const filter: BouncePatternFilter = {
    ...(type && { type }),
    ...(isp === ALL_ISPS ? { allIsps: true } : isp ? { ispId: isp } : {}),
    ...(origin && { origin }),
    ...(enabled && { enabled: enabled === 'yes' }),
    ...(search.trim() && { search: search.trim() }),
  };
  const filterKey = JSON.stringify([filter, field, direction]);
  // A new filter or order starts again at the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for every filter input
  useEffect(() => pages.reset(), [filterKey]);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: PatternsDocument,
    variables: { filter, orderBy: { field, direction }, first: PAGE, after: pages.after },
  });
  useRefetchOnChange(refetch);
  const [ispChoices] = useQuery({ query: IspChoicesDocument });
  const connection = data?.bouncePatterns;
  const { page } = pages;

  return (
    <section aria-labelledby="patterns-title">
      <div className="title-row">
        <h2 id="patterns-title">Bounce patterns</h2>
        {canEdit && (
          <a className="button primary" href={href('patterns', 'new')}>
            New pattern
          </a>
        )}
      </div>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-search">Search</label>
          <input
            id="f-search"
            type="search"
            value={search}
            placeholder="name, pattern or message"
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select id="f-type" value={type} onChange={(e) => setType(e.target.value as BounceType | '')}>
            <option value="">Any type</option>
            {BOUNCE_TYPES.map((t) => (
              <option key={t} value={t}>
                {typeName(t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-isp">ISP</label>
          <select id="f-isp" value={isp} onChange={(e) => setIsp(e.target.value)}>
            <option value="">Any ISP</option>
            <option value={ALL_ISPS}>All ISPs (no ISP of its own)</option>
            {ispChoices.data?.isps.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-origin">Origin</label>
          <select id="f-origin" value={origin} onChange={(e) => setOrigin(e.target.value as Origin | '')}>
            <option value="">Default and custom</option>
            <option value="DEFAULT">Default</option>
            <option value="CUSTOM">Custom</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-enabled">Enabled</label>
          <select id="f-enabled" value={enabled} onChange={(e) => setEnabled(e.target.value)}>
            <option value="">Enabled or not</option>
            <option value="yes">Enabled</option>
            <option value="no">Disabled</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-sort">Sort by</label>
          <select id="f-sort" value={field} onChange={(e) => setField(e.target.value as BouncePatternOrderField)}>
            <option value="PRIORITY">Priority (rule order)</option>
            <option value="NAME">Name</option>
            <option value="TYPE">Type</option>
            <option value="CREATED_AT">Created</option>
            <option value="UPDATED_AT">Last changed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-direction">Direction</label>
          <select id="f-direction" value={direction} onChange={(e) => setDirection(e.target.value as SortDirection)}>
            <option value="ASC">Ascending</option>
            <option value="DESC">Descending</option>
          </select>
        </div>
      </form>
      <ErrorBanner error={apiError(error)} />
      <p className="count" aria-live="polite">
        {connection ? `${connection.totalCount} patterns` : fetching ? 'Loading…' : ''}
        {connection && connection.totalCount > PAGE && ` · page ${page} of ${Math.ceil(connection.totalCount / PAGE)}`}
      </p>
      {connection && (
        <PatternTable patterns={connection.edges.map((e) => e.node)} canEdit={canEdit} canAudit={canAudit} />
      )}
      {pages.pager('Pages', connection?.pageInfo)}
    </section>
  );
}

export function PatternTable({
  patterns,
  canEdit,
  canAudit,
}: {
  patterns: PatternFieldsFragment[];
  canEdit: boolean;
  canAudit: boolean;
}) {
  const [deleting, setDeleting] = useState<string | null>(null);
  const showActions = canEdit || canAudit;
  if (patterns.length === 0) return <p>No pattern matches.</p>;
  return (
    <div className="table-wrap">
      <table className="patterns">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">ISP</th>
            <th scope="col">Pattern</th>
            <th scope="col">Message</th>
            <th scope="col">Priority</th>
            <th scope="col">Enabled</th>
            {showActions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {patterns.map((p) => (
            <tr key={p.id} className={p.enabled ? undefined : 'disabled'}>
              <th scope="row">
                {p.name}
                {p.origin === 'DEFAULT' && <span className="badge default">default</span>}
                {p.differsFromShippedDefault && (
                  <span
                    className="badge differs"
                    title="An operator changed this default: it is not what this release ships"
                  >
                    differs from shipped default
                  </span>
                )}
              </th>
              <td>
                <TypeBadge type={p.type} />
              </td>
              <td>{p.isp?.name ?? 'All ISPs'}</td>
              <td>
                <PatternText pattern={p.pattern} />
              </td>
              <td>{p.message}</td>
              <td className="num">{p.priority}</td>
              <td>{p.enabled ? 'yes' : 'no'}</td>
              {showActions && (
                <td className="actions">
                  {canEdit && (
                    <a className="button" href={href('patterns', p.id, 'edit')} aria-label={`Edit ${p.name}`}>
                      Edit
                    </a>
                  )}
                  {canAudit && (
                    <a className="button" href={href('patterns', p.id, 'history')} aria-label={`History of ${p.name}`}>
                      History
                    </a>
                  )}
                  {canEdit &&
                    (p.origin === 'DEFAULT' ? (
                      <ToggleEnabled pattern={p} />
                    ) : deleting === p.id ? (
                      <ConfirmDelete pattern={p} onDone={() => setDeleting(null)} />
                    ) : (
                      <button type="button" onClick={() => setDeleting(p.id)} aria-label={`Delete ${p.name}`}>
                        Delete
                      </button>
                    ))}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Defaults cannot be deleted (PROTECTED_DEFAULT): they are disabled instead. */
function ToggleEnabled({ pattern }: { pattern: PatternFieldsFragment }) {
  const [{ fetching, error }, edit] = useMutation(EditPatternDocument);
  const verb = pattern.enabled ? 'Disable' : 'Enable';
  return (
    <>
      <button
        type="button"
        disabled={fetching}
        aria-label={`${verb} ${pattern.name}`}
        title="A default pattern cannot be deleted; disable it instead"
        onClick={() =>
          edit({
            id: pattern.id,
            expectedVersion: pattern.version,
            input: { enabled: !pattern.enabled },
            reason: `${verb.toLowerCase()}d in the console`,
            clientMutationId: mutationId(),
          })
        }
      >
        {verb}
      </button>
      <ErrorBanner error={apiError(error)} />
    </>
  );
}

function ConfirmDelete({ pattern, onDone }: { pattern: PatternFieldsFragment; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [{ fetching, error }, remove] = useMutation(DeletePatternDocument);
  const id = `delete-reason-${pattern.id}`;
  return (
    <form
      className="confirm"
      aria-label={`Delete ${pattern.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const result = await remove({
          id: pattern.id,
          expectedVersion: pattern.version,
          reason: reason.trim() || null,
          clientMutationId: mutationId(),
        });
        if (!result.error) onDone();
      }}
    >
      <label htmlFor={id}>Why delete it?</label>
      <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="danger" disabled={fetching}>
        Move to trash
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={apiError(error)} />
    </form>
  );
}
