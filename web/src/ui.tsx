import { type ReactNode, useState } from 'react';
import type { ApiError } from './client';
import type { BounceType } from './generated/graphql';

const SHORT: Record<BounceType, string> = { HARD_BOUNCE: 'HB', SOFT_BOUNCE: 'SB', BOUNCE: 'B' };
const LONG: Record<BounceType, string> = { HARD_BOUNCE: 'Hard bounce', SOFT_BOUNCE: 'Soft bounce', BOUNCE: 'Bounce' };
export const BOUNCE_TYPES = Object.keys(SHORT) as BounceType[];
export const typeName = (type: BounceType): string => LONG[type];

export function TypeBadge({ type }: { type: BounceType }) {
  return (
    <abbr className={`badge type-${type}`} title={LONG[type]}>
      {SHORT[type]}
    </abbr>
  );
}

export function ErrorBanner({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error.message}
      {error.code && <span className="code"> ({error.code})</span>}
    </p>
  );
}

export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export const when = (iso: string): string => new Date(iso).toLocaleString();

/** A before/after value of an audit change, as text. */
export const shown = (value: unknown): string =>
  value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);

/** A regular expression as text; a long one (the defaults run to hundreds of characters) opens on demand. */
export function PatternText({ pattern }: { pattern: string }) {
  if (pattern.length <= 90) return <code>{pattern}</code>;
  return (
    <details>
      <summary>
        <code>{pattern.slice(0, 80)}…</code>
      </summary>
      <code>{pattern}</code>
    </details>
  );
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor?: string | null;
}

/** Relay paging: the cursors of the pages before this one; Previous pops one, Next pushes the end cursor. */
export function usePages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1] ?? null,
    page: cursors.length,
    reset: () => setCursors([null]),
    pager: (label: string, pageInfo: PageInfo | undefined) => (
      <nav className="pager" aria-label={label}>
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!pageInfo?.hasNextPage}
          onClick={() => setCursors((c) => [...c, pageInfo?.endCursor ?? null])}
        >
          Next page
        </button>
      </nav>
    ),
  };
}
