// Network namespaces by name (/run/netns/<name>, as `ip netns add` makes them).
import { openSync, closeSync } from 'node:fs';
import { setns, CLONE_NEWNET } from './socket.js';

/**
 * Run `fn` with the calling thread in network namespace `name`, then return to where it was.
 * Sockets (netlink included) opened inside stay in that namespace after the return, so attach
 * code run here works on that namespace's interfaces. `fn` must be synchronous: while it runs,
 * the whole JavaScript thread is in the other namespace.
 */
export function withNetns<T>(name: string, fn: () => T): T {
  let target: number;
  try {
    target = openSync(name.includes('/') ? name : `/run/netns/${name}`, 'r');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new Error(`no network namespace '${name}'`);
    throw e;
  }
  let home: number;
  try {
    home = openSync('/proc/thread-self/ns/net', 'r');
  } catch (e) {
    closeSync(target);
    throw e;
  }
  try {
    setns(target, CLONE_NEWNET);
    try {
      return fn();
    } finally {
      setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
