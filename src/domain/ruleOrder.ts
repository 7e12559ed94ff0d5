/** What places a rule in the order classify tries rules in. */
export interface RuleOrderKey {
  readonly priority: number;
  /** Log position of the rule's creation: breaks priority ties, earlier first. */
  readonly createdPosition: bigint;
}

/** The order classify tries rules in (inside one ISP group): ascending priority, then creation. */
export function byRuleOrder(a: RuleOrderKey, b: RuleOrderKey): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.createdPosition < b.createdPosition ? -1 : a.createdPosition > b.createdPosition ? 1 : 0;
}
