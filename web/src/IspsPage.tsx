import { useState } from 'react';
import { useQuery } from 'urql';
import { useCan } from './App';
import { apiError } from './client';
import { IspPatternsDocument, IspsDocument } from './generated/graphql';
import { useRefetchOnChange } from './live';
import { PatternTable } from './PatternsPage';
import { href } from './router';
import { ErrorBanner } from './ui';

export function IspsPage({ id }: { id?: string }) {
  return id ? <IspDetail id={id} /> : <IspDirectory />;
}

function IspDirectory() {
  const [search, setSearch] = useState('');
  const [{ data, error }, refetch] = useQuery({ query: IspsDocument, variables: { search: search.trim() || null } });
  useRefetchOnChange(refetch);
  return (
    <section aria-labelledby="isps-title">
      <h2 id="isps-title">ISP directory</h2>
      <div className="field">
        <label htmlFor="isp-search">Search ISPs</label>
        <input id="isp-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorBanner error={apiError(error)} />
      {data && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">ISP</th>
                <th scope="col">Domains</th>
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {data.isps.edges.map(({ node }) => (
                <tr key={node.id}>
                  <th scope="row">
                    <a href={href('isps', node.id)}>{node.name}</a>
                  </th>
                  <td>{node.domains.join(', ')}</td>
                  <td>{node.origin.toLowerCase()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function IspDetail({ id }: { id: string }) {
  const canEdit = useCan('editPatterns');
  const canAudit = useCan('readAudit');
  const [{ data, error }, refetch] = useQuery({ query: IspPatternsDocument, variables: { id } });
  useRefetchOnChange(refetch);
  if (error) return <ErrorBanner error={apiError(error)} />;
  if (!data) return <p>Loading…</p>;
  if (!data.isp) return <p role="alert">There is no ISP {id}.</p>;
  return (
    <section aria-labelledby="isp-title">
      <h2 id="isp-title">{data.isp.name}</h2>
      <p>
        Domains: {data.isp.domains.join(', ')} · <a href={href('isps')}>all ISPs</a>
      </p>
      <h3>Its own patterns, in rule order</h3>
      <p className="hint">They run before the All-ISPs patterns for replies from these domains.</p>
      <PatternTable patterns={data.isp.patterns} canEdit={canEdit} canAudit={canAudit} />
    </section>
  );
}
