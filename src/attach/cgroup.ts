// cgroup hooks (skb ingress/egress, sock create, connect4/6, sendmsg, sysctl, sockopt, ...): a
// bpf_link on a cgroup v2 directory. Links always attach with multi semantics (BPF_F_ALLOW_MULTI):
// several programs on one hook all run, and each link detaches only its own program.
import { openSync, closeSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { bpf, AttachType, type AttachTypeName } from '../sys/index.js';
import { Link } from './link.js';
import { netError } from './net_errors.js';
import type { Attachable } from './tracepoint.js';

/** Short names for the common hooks, as libbpf's section names spell them. */
const HOOKS: Record<string, AttachTypeName> = {
  'skb/ingress': 'CGROUP_INET_INGRESS', 'skb/egress': 'CGROUP_INET_EGRESS',
  ingress: 'CGROUP_INET_INGRESS', egress: 'CGROUP_INET_EGRESS',
  sock_create: 'CGROUP_INET_SOCK_CREATE', sock_release: 'CGROUP_INET_SOCK_RELEASE',
  connect4: 'CGROUP_INET4_CONNECT', connect6: 'CGROUP_INET6_CONNECT',
  bind4: 'CGROUP_INET4_BIND', bind6: 'CGROUP_INET6_BIND',
  sendmsg4: 'CGROUP_UDP4_SENDMSG', sendmsg6: 'CGROUP_UDP6_SENDMSG',
  recvmsg4: 'CGROUP_UDP4_RECVMSG', recvmsg6: 'CGROUP_UDP6_RECVMSG',
  sysctl: 'CGROUP_SYSCTL', getsockopt: 'CGROUP_GETSOCKOPT', setsockopt: 'CGROUP_SETSOCKOPT',
  sock_ops: 'CGROUP_SOCK_OPS', dev: 'CGROUP_DEVICE', device: 'CGROUP_DEVICE',
};

export type CgroupHook = AttachTypeName | keyof typeof HOOKS;

/** Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems). */
export function cgroup2Root(): string {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2') return f[1]!;
  }
  throw new Error('cgroup v2 is not mounted (mount -t cgroup2 none /sys/fs/cgroup)');
}

/**
 * Attach a cgroup program to the cgroup v2 directory `path` (absolute, or relative to the cgroup v2
 * mount) at `hook` ('egress', 'connect4', 'CGROUP_SYSCTL', ...). Close the link to detach.
 */
export function attachCgroup(prog: Attachable, path: string, hook: CgroupHook | number): Link {
  const dir = isAbsolute(path) ? path : join(cgroup2Root(), path);
  const attachType = typeof hook === 'number' ? hook : AttachType[(HOOKS[hook] ?? hook) as AttachTypeName];
  if (attachType === undefined) throw new Error(`unknown cgroup hook '${String(hook)}' (e.g. ingress, egress, sock_create, connect4, sysctl)`);
  const what = `attaching program ${prog.name || '(unnamed)'} to cgroup ${dir} (${typeof hook === 'number' ? hook : hook})`;
  let cgfd: number;
  try {
    cgfd = openSync(dir, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw Object.assign(new Error(`no cgroup '${dir}'`), { code });
    throw netError(e, `opening cgroup ${dir}`);
  }
  try {
    return new Link('cgroup', `${dir} ${typeof hook === 'number' ? hook : hook}`, [bpf.linkCreate({ progFd: prog.fd, targetFd: cgfd, attachType })]);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EBADF' || code === 'ENOTDIR') throw Object.assign(new Error(`${what}: ${dir} is not a cgroup v2 directory`), { code });
    throw netError(e, what);
  } finally {
    closeSync(cgfd);
  }
}
