#!/bin/bash
# examples/vm-capture.sh: run the examples with their kprobe hooks inside the QEMU guest (Debian's
# kernel, which has kprobes), causing the activity each one reports. This is how the "kprobe, in
# the VM" outputs in examples/README.md were captured:
#
#   test/vm/vmrun.sh --timeout 900 -- examples/vm-capture.sh [NAME...]
#
# Block I/O comes from a loop device over a file in the guest's tmpfs (the guest's root is a 9p
# share, with no disk of its own): dd with oflag=direct writes through it as real requests.
set -u
cd "$(dirname "$0")/.."
D=dist/examples
run() { # run NAME SECONDS ACTIVITY...: start the example, cause the activity, then Ctrl-C it
  local name=$1 secs=$2; shift 2
  echo "===== $name (uname -r: $(uname -r))"
  node "$D/$name" --kprobe "${EXTRA[@]}" &
  local pid=$!
  sleep "$secs"
  "$@"
  sleep 2
  kill -INT $pid
  wait $pid
  echo "===== exit status $?"
}
blockio() {
  [ -b "$LOOP" ] || return 0
  dd if=/dev/zero of="$LOOP" bs=64k count=16 oflag=direct status=none
  dd if=/dev/zero of="$LOOP" bs=4k count=8 oflag=direct status=none
  dd if="$LOOP" of=/dev/null bs=16k count=4 iflag=direct status=none
}
forks() { for i in 1 2 3; do sh -c 'true & wait'; done; }
reads() { for i in 1 2 3 4 5; do cat /etc/hostname >/dev/null; done; }
slowreads() { reads; sh -c '(sleep 0.3; echo x) | head -c 2 >/dev/null'; }
connects() {
  node -e "const net=require('net');const s=net.createServer(c=>c.end()).listen(0,'127.0.0.1',()=>{net.connect(s.address().port,'127.0.0.1',function(){this.end();s.close()})})"
}

modprobe loop 2>/dev/null
truncate -s 64M /tmp/disk.img
LOOP=$(losetup -f --show /tmp/disk.img 2>/dev/null || true)
echo "loop device: ${LOOP:-none}"
EXTRA=()
want() { [ $# -eq 0 ] || [[ " $* " == *" $NAMES "* ]]; }
ALL=("$@")
for NAMES in hello_world.js tracing/bitehist.js tracing/disksnoop.js tracing/trace_fields.js tracing/vfsreadlat.js tracing/tcpv4connect.js tracing/task_switch.js; do
  if [ ${#ALL[@]} -gt 0 ] && [[ " ${ALL[*]} " != *" $NAMES "* ]]; then continue; fi
  case $NAMES in
    hello_world.js) run $NAMES 25 forks;;
    tracing/bitehist.js) run $NAMES 25 blockio;;
    tracing/disksnoop.js) run $NAMES 25 blockio;;
    tracing/trace_fields.js) run $NAMES 25 forks;;
    tracing/vfsreadlat.js) EXTRA=(5); run $NAMES 25 slowreads; EXTRA=();;
    tracing/tcpv4connect.js) run $NAMES 25 connects;;
    tracing/task_switch.js) echo "===== $NAMES"; node "$D/$NAMES" --kprobe | head -12; echo "===== exit status ${PIPESTATUS[0]}";;
  esac
done
[ -n "${LOOP:-}" ] && losetup -d "$LOOP"
