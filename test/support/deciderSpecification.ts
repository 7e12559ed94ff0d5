import { expect } from 'vitest';
import { fold, type Decider } from '../../src/domain/decider.js';

/**
 * given(events) / when(command) / then(events | error), in the style of Emmett's
 * DeciderSpecification: the decider is exercised exactly as the command handler uses it.
 */
export const DeciderSpecification = {
  for<C, E, S>(decider: Decider<C, E, S>) {
    return (given: E[]) => ({
      when(command: C) {
        const run = () => decider.decide(command, fold(decider, given));
        return {
          then(expected: E[]) {
            expect(run()).toEqual(expected);
          },
          thenNothingHappens() {
            expect(run()).toEqual([]);
          },
          thenThrows<T extends Error>(errorType: new (...args: never[]) => T, check?: (error: T) => void) {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(errorType);
            check?.(thrown as T);
          },
        };
      },
    });
  },
};
