#!/bin/bash
# test/vm/vmrun.sh [--append "KERNEL ARGS"] [--timeout SECS] [--mem SIZE] [--smp N] -- COMMAND ARGS...
#
# Run one command as root inside a throw-away QEMU guest booted from Debian's own kernel
# (package linux-image-amd64), for the tests this host kernel cannot run (kprobes, fentry, ...).
# The guest's root file system is the host's, shared read-only over virtio-9p under a tmpfs
# overlay (the guest may write anywhere; it is all discarded). The current directory is shared
# read-write at the same path. The command sees the caller's environment and working directory;
# its stdout and stderr (merged) stream to ours and its exit status becomes ours.
#
# Exit status: the command's; 124 on timeout; 125 when the guest could not be started or gave no
# status (the kernel console's tail is printed); 127 when a needed package is missing.
# Packages: qemu-system-x86 linux-image-amd64 busybox-static.
# Env: TSBCC_VM_KERNEL (a version in /boot; default the newest with 9p modules),
#      TSBCC_VM_CACHE (initramfs cache directory; default /tmp/tsbcc-vm-cache).
set -u
APPEND="" TIMEOUT=600 MEM=1G SMP=2
while [ $# -gt 0 ]; do
  case $1 in
    --append) APPEND=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --mem) MEM=$2; shift 2;;
    --smp) SMP=$2; shift 2;;
    --) shift; break;;
    *) break;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--append ARGS] [--timeout SECS] [--mem SIZE] [--smp N] -- COMMAND ARGS..." >&2; exit 2; }
T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || missing+=(busybox-static)
KVER=${TSBCC_VM_KERNEL:-}
if [ -z "$KVER" ]; then
  for k in $(cd /boot 2>/dev/null && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | sort -V); do
    [ -d "/lib/modules/$k/kernel/fs/9p" ] && KVER=$k
  done
fi
{ [ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] && [ -d "/lib/modules/$KVER" ]; } || missing+=(linux-image-amd64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "vmrun: missing ${missing[*]} (apt-get install -y qemu-system-x86 linux-image-amd64 busybox-static)" >&2
  exit 127
fi
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "vmrun: $BUSYBOX is dynamically linked; the guest's first stage needs busybox-static" >&2
  exit 127
fi

# ---- first stage (initramfs): busybox, the modules that reach the 9p shares, and /init.
# Built once per kernel version and version of this script.
CACHE=${TSBCC_VM_CACHE:-/tmp/tsbcc-vm-cache}
INITRD=$CACHE/initramfs-$KVER-$(md5sum < "$0" | cut -c1-10).cpio.gz
if [ ! -s "$INITRD" ]; then
  mkdir -p "$CACHE" || exit 125
  STAGE=$(mktemp -d) || exit 125
  mkdir -p "$STAGE"/{bin,dev,proc,sys,lib/modules,share/host,share/ctl,upper,newroot}
  cp "$BUSYBOX" "$STAGE/bin/busybox" || exit 125
  # The kernel resolves nothing by itself: list each module's dependencies in load order.
  for m in 9pnet_virtio 9p virtio_pci overlay; do modprobe -S "$KVER" --show-depends "$m" || exit 125; done |
    awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
    while read -r ko; do
      name=$(basename "$ko"); name=${name%.xz}; name=${name%.zst}
      case $ko in *.xz) xz -dc "$ko";; *.zst) zstd -dc "$ko";; *) cat "$ko";; esac > "$STAGE/lib/modules/$name"
      echo "$name" >> "$STAGE/lib/modules/load-order"
    done
  [ -s "$STAGE/lib/modules/load-order" ] || { echo "vmrun: no 9p/virtio modules for $KVER" >&2; exit 125; }
  cat > "$STAGE/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
fail() { echo "vmrun guest: $*" > /dev/ttyS1; echo "vmrun guest: $*" > /dev/ttyS0; poweroff -f; }
while read -r m; do insmod "/lib/modules/$m" || fail "cannot load module $m"; done < /lib/modules/load-order
OPTS=trans=virtio,version=9p2000.L,msize=512000
n=0; until mount -t 9p -o "$OPTS,cache=loose,ro" host /share/host; do
  n=$((n + 1)); [ $n -lt 10 ] || fail "cannot mount the host's root"; sleep 0.1
done
mount -t 9p -o "$OPTS" ctl /share/ctl || fail "cannot mount the control share"
mount -t tmpfs -o mode=0755 tmpfs /upper && mkdir /upper/data /upper/work
R=/newroot
mount -t overlay -o lowerdir=/share/host,upperdir=/upper/data,workdir=/upper/work overlay $R || fail "cannot mount the overlay"
mount -t proc proc $R/proc; mount -t sysfs sysfs $R/sys; mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm && mount -t devpts devpts $R/dev/pts && mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs tmpfs $R/run
mkdir -p $R/run/vmrun && mount --bind /share/ctl $R/run/vmrun
# What BPF tests expect of a machine: tracefs, debugfs, bpffs, cgroup v2, securityfs.
mount -t tracefs tracefs $R/sys/kernel/tracing
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t securityfs securityfs $R/sys/kernel/security
mount -t bpf bpf $R/sys/fs/bpf
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup
if [ -s /share/ctl/workdir ]; then
  W=$(cat /share/ctl/workdir); mkdir -p "$R$W"
  mount -t 9p -o "$OPTS" work "$R$W" || fail "cannot mount the working directory"
fi
# The kernel loads modules on demand (veth, sch_ingress, ...) by running its modprobe helper in
# *this* root, not the chroot below: hand the request to the host's modprobe in the new root.
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" > /bin/modprobe-newroot
chmod 0755 /bin/modprobe-newroot && echo /bin/modprobe-newroot > /proc/sys/kernel/modprobe
hostname tsbcc-vm; ip link set lo up
stty -F /dev/ttyS1 raw -echo
# Through a pipe, not a tty (as under CI); the status goes to the control share.
{ chroot $R /bin/bash /run/vmrun/cmd.sh < /dev/null 2>&1; echo $? > /share/ctl/status; } | cat > /dev/ttyS1
sync; poweroff -f
INIT
  chmod 0755 "$STAGE/init"
  (cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.$$" && mv "$INITRD.$$" "$INITRD"
  rm -rf "$STAGE"
  [ -s "$INITRD" ] || { echo "vmrun: building the initramfs failed" >&2; exit 125; }
fi

# ---- this run: the command in, the status and kernel console out.
CTL=$(mktemp -d /tmp/tsbcc-vm.XXXXXX) || exit 125
QPID=
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID"; rm -rf "$CTL"; }
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT TERM HUP
CWD=$(pwd -P)
WORKDEV=()
if [ "$CWD" != / ]; then
  echo "$CWD" > "$CTL/workdir"
  WORKDEV=(-fsdev "local,id=work,path=$CWD,security_model=none" -device virtio-9p-pci,fsdev=work,mount_tag=work)
fi
{
  # The caller's exported environment (minus the shell's own bookkeeping), cwd, and argv.
  export -p | grep -E '^declare -x [A-Za-z_][A-Za-z0-9_]*(=|$)' | grep -vE '^declare -x (PWD|OLDPWD|SHLVL|_)(=|$)'
  printf 'cd %q || exit 126\nexec' "$CWD"
  printf ' %q' "$@"
  echo
} > "$CTL/cmd.sh"

QEMU=(
  qemu-system-x86_64
  -accel tcg -cpu max            # software emulation, with every CPU feature TCG has (V8 wants SSE4+)
  -smp "$SMP" -m "$MEM"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "/boot/vmlinuz-$KVER" -initrd "$INITRD"
  -append "console=ttyS0 quiet panic=-1 $APPEND"
  -serial "file:$CTL/console.log"              # ttyS0: the kernel's console
  -chardev stdio,id=out -serial chardev:out    # ttyS1: the command's output
  -fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=host,mount_tag=host
  -fsdev "local,id=ctl,path=$CTL,security_model=none" -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl
  "${WORKDEV[@]}"
)
timeout -k 5 "$TIMEOUT" "${QEMU[@]}" < /dev/null &
QPID=$!
# If whoever started us dies without telling us (SIGKILL), do not leave the guest running.
PARENT=$PPID
( while kill -0 "$PARENT" 2>/dev/null && kill -0 "$QPID" 2>/dev/null; do sleep 2; done; kill "$QPID" 2>/dev/null ) &
wait "$QPID"; QRC=$?; QPID=
if [ -s "$CTL/status" ]; then
  RC=$(cat "$CTL/status")
else
  if [ "$QRC" = 124 ]; then RC=124; echo "vmrun: timed out after ${TIMEOUT}s" >&2; else RC=125; fi
  echo "vmrun: the guest gave no exit status (qemu exit $QRC); kernel console tail:" >&2
  tail -n 25 "$CTL/console.log" >&2
fi
echo "vmrun: kernel $KVER, exit $RC, $(ms) ms" >&2
exit "$RC"
