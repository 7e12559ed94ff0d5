import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

/** A network namespace joined to the host by a veth pair: a separate host, as far as TCP can tell. */
export interface NetworkNamespace {
  readonly name: string;
  /** The namespace's own address. */
  readonly address: string;
  /** The host's end of the pair: what the namespace reaches the host (and its PostgreSQL) by. */
  readonly hostAddress: string;
  /** Reach an address of the host's (see hostOnlyAddress) through the pair. */
  routeTo(address: string): void;
  /** Drop every packet to that address, silently, as a network partition does. */
  cutOff(address: string): void;
  remove(): void;
}

/**
 * An address of the host's own (on lo) that namespaces reach by a route of their own, so that one of
 * them can be cut off from it while the test still talks to that namespace.
 */
export function hostOnlyAddress(): { address: string; remove(): void } {
  const address = `10.${randomInt(100, 250)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;
  ip('addr', 'add', `${address}/32`, 'dev', 'lo');
  return { address, remove: () => ip('addr', 'del', `${address}/32`, 'dev', 'lo') };
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Why namespaces cannot be made here, or null. */
export function networkNamespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (ip netns needs CAP_NET_ADMIN)';
  const probe = `bpprobe${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (error) {
    return `ip netns is not available: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** A /30 of its own in 10.0.0.0/8 (random, so parallel runs do not collide) and names under 15 characters. */
export function createNetworkNamespace(label: string): NetworkNamespace {
  const tag = `${label}${randomInt(1e6).toString(36)}`.slice(0, 9);
  const name = `bp-${tag}`;
  const [b, c, d] = [randomInt(100, 250), randomInt(0, 255), randomInt(0, 63) * 4];
  const hostAddress = `10.${b}.${c}.${d + 1}`;
  const address = `10.${b}.${c}.${d + 2}`;
  const outside = `bph${tag}`;
  const inside = `bpn${tag}`;
  ip('netns', 'add', name);
  try {
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', name);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', outside);
    ip('link', 'set', outside, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', inside);
    ip('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    ip('netns', 'del', name);
    throw error;
  }
  return {
    name,
    address,
    hostAddress,
    routeTo: (to) => ip('netns', 'exec', name, 'ip', 'route', 'replace', `${to}/32`, 'via', hostAddress),
    cutOff: (to) => ip('netns', 'exec', name, 'ip', 'route', 'replace', 'blackhole', `${to}/32`),
    remove() {
      try {
        ip('link', 'del', outside);
      } catch {
        // gone with the namespace
      }
      ip('netns', 'del', name);
    },
  };
}
