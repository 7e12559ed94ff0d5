import { useMutation, useQuery } from 'urql';
import { useCan } from './App';
import { apiError, mutationId } from './client';
import { PatternsDocument, RestorePatternDocument } from './generated/graphql';
import { useRefetchOnChange } from './live';
import { ErrorBanner, PatternText, TypeBadge, when } from './ui';

export function TrashPage() {
  const canEdit = useCan('editPatterns');
  const [{ data, error }, refetch] = useQuery({
    query: PatternsDocument,
    variables: { filter: { deleted: true }, orderBy: { field: 'UPDATED_AT', direction: 'DESC' }, first: 100 },
  });
  useRefetchOnChange(refetch);
  const [restored, restore] = useMutation(RestorePatternDocument);
  const patterns = data?.bouncePatterns.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="trash-title">
      <h2 id="trash-title">Trash</h2>
      <p className="hint">Deleted custom patterns: they no longer classify, and can be restored with their history.</p>
      <ErrorBanner error={apiError(error) ?? apiError(restored.error)} />
      {data && patterns.length === 0 && <p>The trash is empty.</p>}
      {patterns.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">ISP</th>
                <th scope="col">Pattern</th>
                <th scope="col">Deleted</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {patterns.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{p.name}</th>
                  <td>
                    <TypeBadge type={p.type} />
                  </td>
                  <td>{p.isp?.name ?? 'All ISPs'}</td>
                  <td>
                    <PatternText pattern={p.pattern} />
                  </td>
                  <td>
                    {when(p.updatedAt)} by {p.updatedBy.name}
                  </td>
                  {canEdit && (
                    <td>
                      <button
                        type="button"
                        aria-label={`Restore ${p.name}`}
                        disabled={restored.fetching}
                        onClick={() =>
                          restore({
                            id: p.id,
                            expectedVersion: p.version,
                            reason: 'restored in the console',
                            clientMutationId: mutationId(),
                          })
                        }
                      >
                        Restore
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
