import { createContext, type ReactNode, useContext, useEffect } from 'react';
import { useQuery } from 'urql';
import { RulesetVersionDocument } from './generated/graphql';

interface Live {
  /** Bumped on every change another operator (or this one) makes: lists refetch on it. */
  tick: number;
  rulesetVersion: string | null;
  connected: boolean;
}

const LiveContext = createContext<Live>({ tick: 0, rulesetVersion: null, connected: false });
export const useLive = (): Live => useContext(LiveContext);

/** Refetches a list when a change is heard, so another operator's edit appears without a reload. */
export function useRefetchOnChange(refetch: (options: { requestPolicy: 'network-only' }) => void): void {
  const { tick } = useLive();
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a heard change only
  useEffect(() => {
    if (tick > 0) refetch({ requestPolicy: 'network-only' });
  }, [tick]);
}

// Interim: subscriptions land on main with the schema issue; until then the version is read once.
export function LiveProvider({ children }: { children: ReactNode }) {
  const [{ data }] = useQuery({ query: RulesetVersionDocument });
  const rulesetVersion = data?.classify.rulesetVersion ?? null;
  return <LiveContext.Provider value={{ tick: 0, rulesetVersion, connected: false }}>{children}</LiveContext.Provider>;
}

export function LiveStatus() {
  const { rulesetVersion, connected } = useLive();
  return (
    <span className="live" aria-live="polite">
      <span className={connected ? 'dot on' : 'dot'} aria-hidden="true" /> Ruleset version{' '}
      <strong data-testid="ruleset-version">{rulesetVersion ?? '…'}</strong>
      {!connected && ' (live updates unavailable)'}
    </span>
  );
}
