/* vfsstat-shaped with fentry/fexit: BPF_PROG counters for vfs_read/vfs_write/vfs_open/
 * vfs_fsync, global counters in .bss updated atomically, bytes read summed from
 * fexit's return value.
 * cannot load here: this kernel refuses fentry/fexit programs (BPF_PROG_LOAD says EPERM
 * before verification, even as root); test/vm/fentry.test.ts loads, attaches and checks it
 * in the QEMU guest running Debian's 6.1 kernel. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum stat_types {
  S_READ,
  S_WRITE,
  S_FSYNC,
  S_OPEN,
  S_MAXSTAT,
};

u64 stats[S_MAXSTAT] = {};
u64 read_bytes = 0;
u64 read_errors = 0;
const volatile pid_t targ_tgid = 0;

static __always_inline int inc_stat(enum stat_types key)
{
  if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
    return 0;
  __sync_fetch_and_add(&stats[key], 1);
  return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(fentry_vfs_read)
{
  return inc_stat(S_READ);
}

SEC("fexit/vfs_read")
int BPF_PROG(fexit_vfs_read, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t ret)
{
  if (ret < 0)
    __sync_fetch_and_add(&read_errors, 1);
  else
    __sync_fetch_and_add(&read_bytes, ret);
  return 0;
}

SEC("fentry/vfs_write")
int BPF_PROG(fentry_vfs_write)
{
  return inc_stat(S_WRITE);
}

SEC("fentry/vfs_fsync")
int BPF_PROG(fentry_vfs_fsync)
{
  return inc_stat(S_FSYNC);
}

SEC("fentry/vfs_open")
int BPF_PROG(fentry_vfs_open, const struct path *path, struct file *file)
{
  return inc_stat(S_OPEN);
}

char LICENSE[] SEC("license") = "GPL";
