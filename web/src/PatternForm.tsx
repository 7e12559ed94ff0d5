import { type FormEvent, useEffect, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { type ApiError, apiError, mutationId } from './client';
import {
  type BounceType,
  CreatePatternDocument,
  EditPatternDocument,
  IspChoicesDocument,
  PatternDocument,
  type PatternFieldsFragment,
  TestPatternDocument,
  type TestPatternQuery,
} from './generated/graphql';
import { go } from './router';
import { BOUNCE_TYPES, ErrorBanner, Field, TypeBadge, typeName } from './ui';

interface Values {
  name: string;
  type: BounceType;
  ispId: string;
  pattern: string;
  message: string;
  priority: string;
  enabled: boolean;
}

const EMPTY: Values = {
  name: '',
  type: 'HARD_BOUNCE',
  ispId: '',
  pattern: '',
  message: '',
  priority: '100',
  enabled: true,
};

const valuesOf = (p: PatternFieldsFragment): Values => ({
  name: p.name,
  type: p.type,
  ispId: p.ispId ?? '',
  pattern: p.pattern,
  message: p.message,
  priority: String(p.priority),
  enabled: p.enabled,
});

const LABELS: Record<keyof Values, string> = {
  name: 'Name',
  type: 'Type',
  ispId: 'ISP',
  pattern: 'Pattern',
  message: 'Message',
  priority: 'Priority',
  enabled: 'Enabled',
};

/** Create (no id) or edit a pattern; edits name the version they were made on. */
export function PatternForm({ id }: { id?: string }) {
  const client = useClient();
  const [loaded] = useQuery({ query: PatternDocument, variables: { id: id ?? '' }, pause: !id });
  const [isps] = useQuery({ query: IspChoicesDocument });
  const [values, setValues] = useState<Values>(EMPTY);
  const [base, setBase] = useState<PatternFieldsFragment | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState<PatternFieldsFragment | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [created, createPattern] = useMutation(CreatePatternDocument);
  const [edited, editPattern] = useMutation(EditPatternDocument);
  const original = loaded.data?.bouncePattern;
  useEffect(() => {
    if (original && !base) {
      setBase(original);
      setValues(valuesOf(original));
    }
  }, [original, base]);

  if (id && loaded.fetching && !base) return <p>Loading…</p>;
  if (id && !loaded.fetching && !original) return <p role="alert">There is no pattern {id}.</p>;

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    // A field's error goes once the operator changes that field; the others stay until the next save.
    setError((e) => {
      if (!e?.fieldErrors[key]) return e;
      const { [key]: _fixed, ...rest } = e.fieldErrors;
      return Object.keys(rest).length > 0 ? { ...e, fieldErrors: rest } : null;
    });
  };
  const input = {
    name: values.name,
    type: values.type,
    ispId: values.ispId || null,
    pattern: values.pattern,
    message: values.message,
    priority: Number.parseInt(values.priority, 10),
    enabled: values.enabled,
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const common = { reason: reason.trim() || null, clientMutationId: mutationId() };
    const result = base
      ? await editPattern({ id: base.id, expectedVersion: base.version, input, ...common })
      : await createPattern({ input, ...common });
    const failure = apiError(result.error);
    if (failure?.code === 'CONFLICT' && base) {
      // Someone saved first: show what they saved next to what this operator typed.
      const current = await client.query(PatternDocument, { id: base.id }, { requestPolicy: 'network-only' });
      setConflict(current.data?.bouncePattern ?? null);
      setError(failure);
      return;
    }
    if (failure) {
      setError(failure);
      return;
    }
    const saved =
      result.data &&
      ('createBouncePattern' in result.data ? result.data.createBouncePattern : result.data.editBouncePattern);
    if (saved?.pattern && saved.warnings.length > 0) {
      setWarnings(saved.warnings);
      setBase(saved.pattern);
      setConflict(null);
      return;
    }
    go('patterns');
  };

  const fieldError = (key: keyof Values) => error?.fieldErrors[key];
  const describedBy = (key: keyof Values) => (fieldError(key) ? `p-${key}-error` : undefined);
  const badFields = Object.keys(error?.fieldErrors ?? {}).length;
  const unknownFieldErrors = Object.entries(error?.fieldErrors ?? {}).filter(([f]) => !(f in LABELS));

  return (
    <section aria-labelledby="form-title">
      <h2 id="form-title">{base ? `Edit “${base.name}”` : 'New pattern'}</h2>
      {base && (
        <p className="hint">
          Version {base.version}
          {base.origin === 'DEFAULT' && ' · a shipped default: it can be edited and disabled, not deleted'}
        </p>
      )}
      {conflict && (
        <ConflictPanel
          mine={values}
          current={conflict}
          ispName={(ispId) =>
            ispId ? (isps.data?.isps.edges.find((e) => e.node.id === ispId)?.node.name ?? ispId) : 'All ISPs'
          }
          onKeepMine={() => {
            setBase(conflict);
            setConflict(null);
            setError(null);
          }}
          onTakeTheirs={() => {
            setBase(conflict);
            setValues(valuesOf(conflict));
            setConflict(null);
            setError(null);
          }}
        />
      )}
      {error && !conflict && (
        <p role="alert" className="error">
          {badFields === 0
            ? error.message
            : badFields === 1
              ? '1 field needs attention.'
              : `${badFields} fields need attention.`}
          {unknownFieldErrors.map(([f, m]) => ` ${f}: ${m}`).join(';')}
        </p>
      )}
      {warnings.length > 0 && (
        <div role="status" className="warning">
          <p>Saved (version {base?.version}), with warnings:</p>
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          <button type="button" onClick={() => go('patterns')}>
            Back to the patterns
          </button>
        </div>
      )}
      <form className="pattern-form" onSubmit={submit} aria-label={base ? 'Edit pattern' : 'New pattern'} noValidate>
        <Field id="p-name" label="Name" error={fieldError('name')}>
          <input
            id="p-name"
            value={values.name}
            aria-invalid={!!fieldError('name')}
            aria-describedby={describedBy('name')}
            onChange={(e) => set('name', e.target.value)}
          />
        </Field>
        <Field id="p-type" label="Type" error={fieldError('type')}>
          <select id="p-type" value={values.type} onChange={(e) => set('type', e.target.value as BounceType)}>
            {BOUNCE_TYPES.map((t) => (
              <option key={t} value={t}>
                {typeName(t)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="p-ispId" label="ISP" error={fieldError('ispId')}>
          <select
            id="p-ispId"
            value={values.ispId}
            aria-invalid={!!fieldError('ispId')}
            aria-describedby={describedBy('ispId')}
            onChange={(e) => set('ispId', e.target.value)}
          >
            <option value="">All ISPs</option>
            {isps.data?.isps.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="p-pattern"
          label="Pattern"
          error={fieldError('pattern')}
          hint="A regular expression in RE2 syntax, matched case-insensitively against the SMTP reply."
        >
          <input
            id="p-pattern"
            className="mono"
            value={values.pattern}
            aria-invalid={!!fieldError('pattern')}
            aria-describedby={describedBy('pattern') ?? 'p-pattern-hint'}
            onChange={(e) => set('pattern', e.target.value)}
          />
        </Field>
        <Field id="p-message" label="Message" error={fieldError('message')}>
          <input
            id="p-message"
            value={values.message}
            aria-invalid={!!fieldError('message')}
            aria-describedby={describedBy('message')}
            onChange={(e) => set('message', e.target.value)}
          />
        </Field>
        <Field id="p-priority" label="Priority" error={fieldError('priority')} hint="Lower runs first.">
          <input
            id="p-priority"
            type="number"
            value={values.priority}
            aria-invalid={!!fieldError('priority')}
            aria-describedby={describedBy('priority')}
            onChange={(e) => set('priority', e.target.value)}
          />
        </Field>
        <div className="field checkbox">
          <input
            id="p-enabled"
            type="checkbox"
            checked={values.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
          />
          <label htmlFor="p-enabled">Enabled</label>
        </div>
        <Field id="p-reason" label="Reason (kept in the audit log)">
          <input id="p-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <div className="buttons">
          <button type="submit" className="primary" disabled={created.fetching || edited.fetching}>
            {base ? 'Save changes' : 'Create pattern'}
          </button>
          <button type="button" onClick={() => go('patterns')}>
            Cancel
          </button>
        </div>
      </form>
      <TryPattern pattern={values.pattern} ispId={values.ispId || null} />
    </section>
  );
}

function ConflictPanel({
  mine,
  current,
  ispName,
  onKeepMine,
  onTakeTheirs,
}: {
  mine: Values;
  current: PatternFieldsFragment;
  ispName: (id: string) => string;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}) {
  const theirs = valuesOf(current);
  const keys = Object.keys(LABELS) as (keyof Values)[];
  const shown = (values: Values, key: keyof Values): string =>
    key === 'ispId' ? ispName(values.ispId) : key === 'type' ? typeName(values.type) : String(values[key]);
  return (
    <div role="alert" className="conflict">
      <h3>Someone else saved this pattern first</h3>
      <p>
        It is now at version {current.version}
        {current.updatedBy && `, saved by ${current.updatedBy.name}`}. Nothing of yours was written. Compare:
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Yours</th>
              <th scope="col">Current (version {current.version})</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} className={shown(mine, k) === shown(theirs, k) ? undefined : 'changed'}>
                <th scope="row">{LABELS[k]}</th>
                <td>{shown(mine, k)}</td>
                <td>{shown(theirs, k)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="buttons">
        <button type="button" onClick={onKeepMine}>
          Keep my values (save again on version {current.version})
        </button>
        <button type="button" onClick={onTakeTheirs}>
          Take the current values
        </button>
      </div>
    </div>
  );
}

/** Tries the pattern on sample replies before saving: which it catches, and what decides each today. */
function TryPattern({ pattern, ispId }: { pattern: string; ispId: string | null }) {
  const client = useClient();
  const [samples, setSamples] = useState('');
  const [result, setResult] = useState<TestPatternQuery['testPattern'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    const lines = samples
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const answer = await client.query(
      TestPatternDocument,
      { pattern, samples: lines, ispId },
      { requestPolicy: 'network-only' },
    );
    setError(apiError(answer.error));
    setResult(answer.data?.testPattern ?? null);
  };
  // Warnings (no literal text) and regex errors show while the pattern is typed, not only on Test.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a changed pattern or ISP only
  useEffect(() => {
    if (!pattern) return;
    const timer = setTimeout(run, 400);
    return () => clearTimeout(timer);
  }, [pattern, ispId]);
  return (
    <section className="try" aria-labelledby="try-title">
      <h3 id="try-title">Try it on sample replies</h3>
      <Field id="samples" label="Sample replies, one per line">
        <textarea id="samples" rows={4} value={samples} onChange={(e) => setSamples(e.target.value)} />
      </Field>
      <button type="button" onClick={run} disabled={!pattern}>
        Test pattern
      </button>
      <ErrorBanner error={error} />
      {result && (
        <>
          {result.warnings.map((w) => (
            <p key={w} role="status" className="warning">
              {w}
            </p>
          ))}
          {result.trials.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Trial results">
                <thead>
                  <tr>
                    <th scope="col">Reply</th>
                    <th scope="col">This pattern</th>
                    <th scope="col">Today's verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {result.trials.map((t) => (
                    <tr key={t.reply}>
                      <td>
                        <code>{t.reply}</code>
                      </td>
                      <td>{t.matches ? 'matches' : 'no match'}</td>
                      <td>
                        <TypeBadge type={t.current.type} />{' '}
                        {t.current.pattern
                          ? `by “${t.current.pattern.name}”`
                          : `by ${t.current.matchedBy.toLowerCase()}`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
