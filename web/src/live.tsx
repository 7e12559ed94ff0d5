import type { Client as SocketClient } from 'graphql-ws';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import {
  BouncePatternChangedDocument,
  IspChangedDocument,
  RulesetChangedDocument,
  RulesetVersionDocument,
} from './generated/graphql';

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

/**
 * One subscription per kind of change for the whole console: a heard change bumps `tick` (lists
 * refetch on it); the header follows `rulesetChanged`, starting from the version classify answers with.
 */
export function LiveProvider({ socket, children }: { socket: SocketClient; children: ReactNode }) {
  const [tick, setTick] = useState(0);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const offConnected = socket.on('connected', () => setConnected(true));
    const offClosed = socket.on('closed', () => setConnected(false));
    return () => {
      offConnected();
      offClosed();
    };
  }, [socket]);
  const [initial] = useQuery({ query: RulesetVersionDocument });
  const [ruleset] = useSubscription({ query: RulesetChangedDocument });
  const heard = () => setTick((t) => t + 1);
  useSubscription({ query: BouncePatternChangedDocument }, heard);
  useSubscription({ query: IspChangedDocument }, heard);
  const rulesetVersion = ruleset.data?.rulesetChanged.rulesetVersion ?? initial.data?.classify.rulesetVersion ?? null;
  return <LiveContext.Provider value={{ tick, rulesetVersion, connected }}>{children}</LiveContext.Provider>;
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
