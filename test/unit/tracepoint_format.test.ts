// Tracepoint format files: parsing, the args struct in C, and decoding raw records. No kernel needed:
// the samples are real format files copied from a 6.18 kernel, plus synthetic ones for what this
// kernel does not show (__rel_loc, macro array lengths, formats without signed:).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseTracepointFormat, tracepointStructC, decodeTracepointRecord, TracepointFormatError, type TracepointField,
} from '../../src/btf/tracepoint_format.js';

// sched:sched_switch, copied from /sys/kernel/tracing/events/sched/sched_switch/format on Linux 6.18 (x86-64)
const SCHED_SWITCH = [
  'name: sched_switch',
  'ID: 372',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;',
  '\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;',
  '\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;',
  '\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;',
  '\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;',
  '\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;',
  '\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;',
  '',
  'print fmt: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio',
  '',
].join('\n');

// sched:sched_process_exec, copied from /sys/kernel/tracing/events/sched/sched_process_exec/format on Linux 6.18 (x86-64)
const SCHED_PROCESS_EXEC = [
  'name: sched_process_exec',
  'ID: 365',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;',
  '\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;',
  '\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;',
  '',
  'print fmt: "filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid',
  '',
].join('\n');

// syscalls:sys_enter_openat, copied from /sys/kernel/tracing/events/syscalls/sys_enter_openat/format on Linux 6.18 (x86-64)
const SYS_ENTER_OPENAT = [
  'name: sys_enter_openat',
  'ID: 782',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;',
  '\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;',
  '\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;',
  '\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;',
  '\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;',
  '',
  'print fmt: "dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx", ((unsigned long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((unsigned long)(REC->mode))',
  '',
].join('\n');

// raw_syscalls:sys_enter, copied from /sys/kernel/tracing/events/raw_syscalls/sys_enter/format on Linux 6.18 (x86-64)
const RAW_SYS_ENTER = [
  'name: sys_enter',
  'ID: 443',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;',
  '\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;',
  '',
  'print fmt: "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]',
  '',
].join('\n');

// sock:inet_sock_set_state, copied from /sys/kernel/tracing/events/sock/inet_sock_set_state/format on Linux 6.18 (x86-64)
const INET_SOCK_SET_STATE = [
  'name: inet_sock_set_state',
  'ID: 2287',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:const void * skaddr;\toffset:8;\tsize:8;\tsigned:0;',
  '\tfield:int oldstate;\toffset:16;\tsize:4;\tsigned:1;',
  '\tfield:int newstate;\toffset:20;\tsize:4;\tsigned:1;',
  '\tfield:__u16 sport;\toffset:24;\tsize:2;\tsigned:0;',
  '\tfield:__u16 dport;\toffset:26;\tsize:2;\tsigned:0;',
  '\tfield:__u16 family;\toffset:28;\tsize:2;\tsigned:0;',
  '\tfield:__u16 protocol;\toffset:30;\tsize:2;\tsigned:0;',
  '\tfield:__u8 saddr[4];\toffset:32;\tsize:4;\tsigned:0;',
  '\tfield:__u8 daddr[4];\toffset:36;\tsize:4;\tsigned:0;',
  '\tfield:__u8 saddr_v6[16];\toffset:40;\tsize:16;\tsigned:0;',
  '\tfield:__u8 daddr_v6[16];\toffset:56;\tsize:16;\tsigned:0;',
  '',
  'print fmt: "family=%s protocol=%s sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 saddrv6=%pI6c daddrv6=%pI6c oldstate=%s newstate=%s", __print_symbolic(REC->family, { 2, "AF_INET" }, { 10, "AF_INET6" }), __print_symbolic(REC->protocol, { 6, "IPPROTO_TCP" }, { 132, "IPPROTO_SCTP" }, { 262, "IPPROTO_MPTCP" }), REC->sport, REC->dport, REC->saddr, REC->daddr, REC->saddr_v6, REC->daddr_v6, __print_symbolic(REC->oldstate, { 1, "TCP_ESTABLISHED" }, { 2, "TCP_SYN_SENT" }, { 3, "TCP_SYN_RECV" }, { 4, "TCP_FIN_WAIT1" }, { 5, "TCP_FIN_WAIT2" }, { 6, "TCP_TIME_WAIT" }, { 7, "TCP_CLOSE" }, { 8, "TCP_CLOSE_WAIT" }, { 9, "TCP_LAST_ACK" }, { 10, "TCP_LISTEN" }, { 11, "TCP_CLOSING" }, { 12, "TCP_NEW_SYN_RECV" }), __print_symbolic(REC->newstate, { 1, "TCP_ESTABLISHED" }, { 2, "TCP_SYN_SENT" }, { 3, "TCP_SYN_RECV" }, { 4, "TCP_FIN_WAIT1" }, { 5, "TCP_FIN_WAIT2" }, { 6, "TCP_TIME_WAIT" }, { 7, "TCP_CLOSE" }, { 8, "TCP_CLOSE_WAIT" }, { 9, "TCP_LAST_ACK" }, { 10, "TCP_LISTEN" }, { 11, "TCP_CLOSING" }, { 12, "TCP_NEW_SYN_RECV" })',
  '',
].join('\n');

// ftrace:print, copied from /sys/kernel/tracing/events/ftrace/print/format on Linux 6.18 (x86-64)
const FTRACE_PRINT = [
  'name: print',
  'ID: 5',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
  '\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;',
  '\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;',
  '',
  'print fmt: "%ps: %s", (void *)REC->ip, REC->buf',
  '',
].join('\n');

// A format this kernel does not produce: an old kernel's (no signed:, TASK_COMM_LEN), __rel_loc,
// __data_loc of a non-char type, a 2-D array, an array of structs, a gap before a field.
const SYNTHETIC = [
  'name: synthetic',
  'ID: 9999',
  'format:',
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;',
  '',
  '\tfield:char comm[TASK_COMM_LEN];\toffset:8;\tsize:16;',
  '\tfield:__rel_loc char[] msg;\toffset:24;\tsize:4;',
  '\tfield:__data_loc u64[] ids;\toffset:28;\tsize:4;',
  '\tfield:u32 grid[2][3];\toffset:32;\tsize:24;',
  '\tfield:struct in6_addr addrs[MAX_ADDRS];\toffset:56;\tsize:32;',
  '\tfield:short  delta ;\toffset:96;\tsize:2;',
  '\tfield:char name[(8 * 2) + 0x4];\toffset:98;\tsize:20;',
  '',
  'print fmt: "comm=%s", REC->comm',
].join('\n');

type Expect = Partial<TracepointField> & Pick<TracepointField, 'name' | 'cType' | 'offset' | 'size' | 'signed'>;
function fields(...want: Expect[]): TracepointField[] {
  return want.map((w) => ({ baseType: w.cType, common: w.name.startsWith('common_'), ...w }));
}
const COMMON = fields(
  { name: 'common_type', cType: 'unsigned short', offset: 0, size: 2, signed: false },
  { name: 'common_flags', cType: 'unsigned char', offset: 2, size: 1, signed: false },
  { name: 'common_preempt_count', cType: 'unsigned char', offset: 3, size: 1, signed: false },
  { name: 'common_pid', cType: 'int', offset: 4, size: 4, signed: true },
);

test('sched:sched_switch: every field, char arrays', () => {
  const fmt = parseTracepointFormat(SCHED_SWITCH, 'sched', 'sched_switch');
  assert.equal(fmt.category, 'sched');
  assert.equal(fmt.event, 'sched_switch');
  assert.equal(fmt.id, 372);
  assert.equal(fmt.size, 64);
  assert.deepEqual(fmt.fields, [...COMMON, ...fields(
    { name: 'prev_comm', cType: 'char[16]', baseType: 'char', arrayLen: 16, offset: 8, size: 16, signed: false },
    { name: 'prev_pid', cType: 'pid_t', offset: 24, size: 4, signed: true },
    { name: 'prev_prio', cType: 'int', offset: 28, size: 4, signed: true },
    { name: 'prev_state', cType: 'long', offset: 32, size: 8, signed: true },
    { name: 'next_comm', cType: 'char[16]', baseType: 'char', arrayLen: 16, offset: 40, size: 16, signed: false },
    { name: 'next_pid', cType: 'pid_t', offset: 56, size: 4, signed: true },
    { name: 'next_prio', cType: 'int', offset: 60, size: 4, signed: true },
  )]);
  assert.ok(fmt.printFmt.startsWith('"prev_comm=%s prev_pid=%d'));
  assert.ok(fmt.printFmt.endsWith('REC->next_comm, REC->next_pid, REC->next_prio'));
});

test('sched:sched_process_exec: __data_loc char[]', () => {
  const fmt = parseTracepointFormat(SCHED_PROCESS_EXEC, 'sched', 'sched_process_exec');
  assert.equal(fmt.id, 365);
  assert.equal(fmt.size, 20);
  assert.deepEqual(fmt.fields, [...COMMON, ...fields(
    { name: 'filename', cType: '__data_loc char[]', baseType: 'char', dataLoc: true, offset: 8, size: 4, signed: false },
    { name: 'pid', cType: 'pid_t', offset: 12, size: 4, signed: true },
    { name: 'old_pid', cType: 'pid_t', offset: 16, size: 4, signed: true },
  )]);
  assert.equal(fmt.printFmt, '"filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid');
});

test('syscalls:sys_enter_openat: pointers, and declared types narrower than their 8-byte fields', () => {
  const fmt = parseTracepointFormat(SYS_ENTER_OPENAT, 'syscalls', 'sys_enter_openat');
  assert.equal(fmt.id, 782);
  assert.equal(fmt.size, 48);
  assert.deepEqual(fmt.fields, [...COMMON, ...fields(
    { name: '__syscall_nr', cType: 'int', offset: 8, size: 4, signed: true },
    { name: 'dfd', cType: 'int', offset: 16, size: 8, signed: false },
    { name: 'filename', cType: 'const char *', offset: 24, size: 8, signed: false },
    { name: 'flags', cType: 'int', offset: 32, size: 8, signed: false },
    { name: 'mode', cType: 'umode_t', offset: 40, size: 8, signed: false },
  )]);
});

test('raw_syscalls:sys_enter: an array of unsigned long', () => {
  const fmt = parseTracepointFormat(RAW_SYS_ENTER, 'raw_syscalls', 'sys_enter');
  assert.equal(fmt.id, 443);
  assert.equal(fmt.size, 64);
  assert.deepEqual(fmt.fields, [...COMMON, ...fields(
    { name: 'id', cType: 'long', offset: 8, size: 8, signed: true },
    { name: 'args', cType: 'unsigned long[6]', baseType: 'unsigned long', arrayLen: 6, offset: 16, size: 48, signed: false },
  )]);
});

test('sock:inet_sock_set_state: __u8 address arrays', () => {
  const fmt = parseTracepointFormat(INET_SOCK_SET_STATE, 'sock', 'inet_sock_set_state');
  assert.equal(fmt.size, 72);
  assert.deepEqual(fmt.fields, [...COMMON, ...fields(
    { name: 'skaddr', cType: 'const void *', offset: 8, size: 8, signed: false },
    { name: 'oldstate', cType: 'int', offset: 16, size: 4, signed: true },
    { name: 'newstate', cType: 'int', offset: 20, size: 4, signed: true },
    { name: 'sport', cType: '__u16', offset: 24, size: 2, signed: false },
    { name: 'dport', cType: '__u16', offset: 26, size: 2, signed: false },
    { name: 'family', cType: '__u16', offset: 28, size: 2, signed: false },
    { name: 'protocol', cType: '__u16', offset: 30, size: 2, signed: false },
    { name: 'saddr', cType: '__u8[4]', baseType: '__u8', arrayLen: 4, offset: 32, size: 4, signed: false },
    { name: 'daddr', cType: '__u8[4]', baseType: '__u8', arrayLen: 4, offset: 36, size: 4, signed: false },
    { name: 'saddr_v6', cType: '__u8[16]', baseType: '__u8', arrayLen: 16, offset: 40, size: 16, signed: false },
    { name: 'daddr_v6', cType: '__u8[16]', baseType: '__u8', arrayLen: 16, offset: 56, size: 16, signed: false },
  )]);
});

test('ftrace:print: a flexible array member', () => {
  const fmt = parseTracepointFormat(FTRACE_PRINT, 'ftrace');
  assert.equal(fmt.event, 'print'); // from the name: line
  assert.equal(fmt.id, 5);
  assert.equal(fmt.size, 16);
  assert.deepEqual(fmt.fields.slice(4), fields(
    { name: 'ip', cType: 'unsigned long', offset: 8, size: 8, signed: false },
    { name: 'buf', cType: 'char[]', baseType: 'char', arrayLen: 0, offset: 16, size: 0, signed: false },
  ));
  assert.equal(fmt.printFmt, '"%ps: %s", (void *)REC->ip, REC->buf');
});

test('synthetic: macro lengths, expressions, __rel_loc, no signed:, 2-D arrays, arrays of structs', () => {
  const fmt = parseTracepointFormat(SYNTHETIC, 'test', 'synthetic');
  assert.equal(fmt.size, 118);
  assert.deepEqual(fmt.fields.slice(0, 4).map((f) => f.signed), [false, false, false, true]); // from the type names
  assert.deepEqual(fmt.fields.slice(4), fields(
    { name: 'comm', cType: 'char[16]', baseType: 'char', arrayLen: 16, offset: 8, size: 16, signed: false },
    { name: 'msg', cType: '__rel_loc char[]', baseType: 'char', relLoc: true, offset: 24, size: 4, signed: false },
    { name: 'ids', cType: '__data_loc u64[]', baseType: 'u64', dataLoc: true, offset: 28, size: 4, signed: false },
    { name: 'grid', cType: 'u32[2][3]', baseType: 'u32', arrayLen: 6, offset: 32, size: 24, signed: false },
    // The element size is unknown: the length stays unresolved.
    { name: 'addrs', cType: 'struct in6_addr[MAX_ADDRS]', baseType: 'struct in6_addr', offset: 56, size: 32, signed: false },
    { name: 'delta', cType: 'short', offset: 96, size: 2, signed: true },
    { name: 'name', cType: 'char[20]', baseType: 'char', arrayLen: 20, offset: 98, size: 20, signed: false },
  ));
});

test('fields come out sorted by offset whatever the order in the file', () => {
  const text = ['name: x', 'ID: 1', 'format:',
    '\tfield:int b;\toffset:12;\tsize:4;\tsigned:1;', '\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;', '', 'print fmt: ""'].join('\n');
  const fmt = parseTracepointFormat(text);
  assert.deepEqual(fmt.fields.map((f) => f.name), ['a', 'b']);
  assert.equal(fmt.size, 16);
  assert.equal(fmt.category, '');
});

test('malformed formats throw TracepointFormatError naming the tracepoint and line', () => {
  assert.throws(() => parseTracepointFormat('name: x\nID: 1\nformat:\n\tfield:int a;\tsize:4;\tsigned:1;\n', 'c', 'x'),
    (e: unknown) => e instanceof TracepointFormatError && /c:x, line 4: bad offset/.test(e.message));
  assert.throws(() => parseTracepointFormat('name: x\nformat:\n\tfield:int;\toffset:8;\tsize:4;\n', 'c'),
    (e: unknown) => e instanceof TracepointFormatError && /c:x, line 3: cannot split "int"/.test(e.message));
  assert.throws(() => parseTracepointFormat('hello\n'), TracepointFormatError);
});

test('tracepointStructC: BCC\'s struct, common fields collapsed, gaps explicit', () => {
  assert.equal(tracepointStructC(parseTracepointFormat(SCHED_SWITCH, 'sched', 'sched_switch')), [
    'struct tracepoint__sched__sched_switch {',
    '\tu64 __do_not_use__;',
    '\tchar prev_comm[16];',
    '\tpid_t prev_pid;',
    '\tint prev_prio;',
    '\tlong prev_state;',
    '\tchar next_comm[16];',
    '\tpid_t next_pid;',
    '\tint next_prio;',
    '};', ''].join('\n'));
  assert.equal(tracepointStructC(parseTracepointFormat(SCHED_PROCESS_EXEC, 'sched', 'sched_process_exec')), [
    'struct tracepoint__sched__sched_process_exec {',
    '\tu64 __do_not_use__;',
    '\tint data_loc_filename;',
    '\tpid_t pid;',
    '\tpid_t old_pid;',
    '};', ''].join('\n'));
  // As BCC does, an int in an 8-byte field becomes s64; umode_t (2 bytes) in 8 becomes u64.
  assert.equal(tracepointStructC(parseTracepointFormat(SYS_ENTER_OPENAT, 'syscalls', 'sys_enter_openat')), [
    'struct tracepoint__syscalls__sys_enter_openat {',
    '\tu64 __do_not_use__;',
    '\tint __syscall_nr;',
    '\tchar __pad_12[4];',
    '\ts64 dfd;',
    '\tconst char *filename;',
    '\ts64 flags;',
    '\tu64 mode;',
    '};', ''].join('\n'));
  assert.equal(tracepointStructC(parseTracepointFormat(RAW_SYS_ENTER, 'raw_syscalls', 'sys_enter')), [
    'struct tracepoint__raw_syscalls__sys_enter {',
    '\tu64 __do_not_use__;',
    '\tlong id;',
    '\tunsigned long args[6];',
    '};', ''].join('\n'));
  assert.equal(tracepointStructC(parseTracepointFormat(FTRACE_PRINT, 'ftrace', 'print')), [
    'struct tracepoint__ftrace__print {',
    '\tu64 __do_not_use__;',
    '\tunsigned long ip;',
    '\tchar buf[];',
    '};', ''].join('\n'));
  assert.equal(tracepointStructC(parseTracepointFormat(SYNTHETIC, 'test', 'synthetic')), [
    'struct tracepoint__test__synthetic {',
    '\tu64 __do_not_use__;',
    '\tchar comm[16];',
    '\tint rel_loc_msg;',
    '\tint data_loc_ids;',
    '\tu32 grid[2][3];',
    '\tu8 addrs[32];',
    '\tchar __pad_88[8];',
    '\tshort delta;',
    '\tchar name[20];',
    '};', ''].join('\n'));
});

test('tracepointStructC: sizes of unknown types from the caller (e.g. BTF)', () => {
  const text = ['name: t', 'ID: 1', 'format:', '\tfield:my_small_t a;\toffset:8;\tsize:8;\tsigned:0;',
    '\tfield:my_big_t b;\toffset:16;\tsize:8;\tsigned:1;', '\tfield:enum packed_e c;\toffset:24;\tsize:1;\tsigned:0;', ''].join('\n');
  const fmt = parseTracepointFormat(text, 'c', 't');
  const typeSize = (t: string) => ({ my_small_t: 2, my_big_t: 8 } as Record<string, number>)[t];
  assert.equal(tracepointStructC(fmt, { typeSize }),
    'struct tracepoint__c__t {\n\tu64 __do_not_use__;\n\tu64 a;\n\tmy_big_t b;\n\tu8 c;\n};\n');
  // Without sizes, a type is taken at its field's size ...
  assert.match(tracepointStructC(fmt), /\tmy_small_t a;\n/);
  // ... except in syscall tracepoints, whose arguments are all stored in 8 bytes.
  assert.match(tracepointStructC(parseTracepointFormat(text, 'syscalls', 't')), /\tu64 a;\n\ts64 b;\n/);
});

// Records are built by hand, little-endian, as the kernel lays them out.
function record(size: number, fill: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  fill(b);
  return b;
}
function common(b: Buffer, type: number, pid: number): void {
  b.writeUInt16LE(type, 0);
  b.writeUInt8(0x1, 2);
  b.writeUInt8(2, 3);
  b.writeInt32LE(pid, 4);
}

test('decodeTracepointRecord: sched_switch', () => {
  const fmt = parseTracepointFormat(SCHED_SWITCH, 'sched', 'sched_switch');
  const data = record(68, (b) => { // perf pads raw data: trailing bytes are ignored
    common(b, 372, 4321);
    b.write('swapper/0', 8, 'latin1');
    b.writeInt32LE(0, 24);
    b.writeInt32LE(120, 28);
    b.writeBigInt64LE(-1n, 32);
    b.write('bash\0junk', 40, 'latin1'); // the string ends at the first NUL
    b.writeInt32LE(4321, 56);
    b.writeInt32LE(-51, 60);
  });
  assert.deepEqual(decodeTracepointRecord(fmt, data), {
    common_type: 372, common_flags: 1, common_preempt_count: 2, common_pid: 4321,
    prev_comm: 'swapper/0', prev_pid: 0, prev_prio: 120, prev_state: -1n,
    next_comm: 'bash', next_pid: 4321, next_prio: -51,
  });
  // A record copied by a BPF program: its first 8 bytes were a pt_regs pointer, not the common fields.
  assert.deepEqual(Object.keys(decodeTracepointRecord(fmt, data, { common: false })),
    ['prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio']);
  const full = record(64, (b) => b.write('0123456789abcdef', 8, 'latin1')); // 16 chars, no NUL
  assert.equal(decodeTracepointRecord(fmt, full).prev_comm, '0123456789abcdef');
  assert.throws(() => decodeTracepointRecord(fmt, data.subarray(0, 60)), /next_prio at 60 \(4 bytes\) does not fit/);
});

test('decodeTracepointRecord: __data_loc char[] in sched_process_exec', () => {
  const fmt = parseTracepointFormat(SCHED_PROCESS_EXEC, 'sched', 'sched_process_exec');
  const path = '/usr/bin/true';
  const data = record(24 + 16, (b) => {
    common(b, 365, 777);
    b.writeUInt32LE(((path.length + 1) << 16) | 20, 8);
    b.writeInt32LE(777, 12);
    b.writeInt32LE(777, 16);
    b.write(path + '\0', 20, 'latin1');
  });
  assert.deepEqual(decodeTracepointRecord(fmt, data), {
    common_type: 365, common_flags: 1, common_preempt_count: 2, common_pid: 777, filename: path, pid: 777, old_pid: 777,
  });
});

test('decodeTracepointRecord: syscall arguments, 8 bytes each, signed by their declared type', () => {
  const fmt = parseTracepointFormat(SYS_ENTER_OPENAT, 'syscalls', 'sys_enter_openat');
  const data = record(48, (b) => {
    common(b, 782, 1);
    b.writeInt32LE(257, 8);
    b.writeBigInt64LE(-100n, 16); // AT_FDCWD
    b.writeBigUInt64LE(0x7ffd12345678n, 24);
    b.writeBigUInt64LE(0x80241n, 32);
    b.writeBigUInt64LE(0o644n, 40);
  });
  const r = decodeTracepointRecord(fmt, data);
  assert.equal(r.__syscall_nr, 257);
  assert.equal(r.dfd, -100n);
  assert.equal(r.filename, 0x7ffd12345678n);
  assert.equal(r.flags, 0x80241n);
  assert.equal(r.mode, 0o644n);
});

test('decodeTracepointRecord: arrays of numbers', () => {
  const raw = decodeTracepointRecord(parseTracepointFormat(RAW_SYS_ENTER, 'raw_syscalls', 'sys_enter'),
    record(64, (b) => { b.writeBigInt64LE(110n, 8); for (let i = 0; i < 6; i++) b.writeBigUInt64LE(BigInt(i * 1000) + 0xffff_0000_0000_0000n, 16 + 8 * i); }));
  assert.equal(raw.id, 110n);
  assert.deepEqual(raw.args, [0, 1000, 2000, 3000, 4000, 5000].map((x) => BigInt(x) + 0xffff_0000_0000_0000n));
  const sock = decodeTracepointRecord(parseTracepointFormat(INET_SOCK_SET_STATE, 'sock', 'inet_sock_set_state'),
    record(72, (b) => {
      b.writeBigUInt64LE(0xffff888000001000n, 8);
      b.writeInt32LE(2, 16); b.writeInt32LE(1, 20);
      b.writeUInt16LE(40000, 24); b.writeUInt16LE(80, 26); b.writeUInt16LE(2, 28); b.writeUInt16LE(6, 30);
      Buffer.from([127, 0, 0, 1]).copy(b, 32);
      Buffer.from([10, 1, 2, 3]).copy(b, 36);
      b[40 + 15] = 1;
    }));
  assert.equal(sock.skaddr, 0xffff888000001000n);
  assert.deepEqual([sock.oldstate, sock.newstate, sock.sport, sock.dport, sock.family, sock.protocol], [2, 1, 40000, 80, 2, 6]);
  assert.deepEqual(sock.saddr, [127, 0, 0, 1]); // __u8 arrays are bytes, not strings
  assert.deepEqual(sock.daddr, [10, 1, 2, 3]);
  assert.deepEqual(sock.saddr_v6, [...Array(15).fill(0), 1]);
  assert.deepEqual(sock.daddr_v6, Array(16).fill(0));
});

test('decodeTracepointRecord: __rel_loc, __data_loc u64[], 2-D arrays, flexible arrays', () => {
  const fmt = parseTracepointFormat(SYNTHETIC, 'test', 'synthetic');
  const data = record(118 + 6 + 16, (b) => {
    b.write('worker', 8, 'latin1');
    b.writeUInt32LE((6 << 16) | (118 - 28), 24); // __rel_loc: offset from the end of the field (28)
    b.writeUInt32LE((16 << 16) | 124, 28);
    for (let i = 0; i < 6; i++) b.writeUInt32LE(i + 1, 32 + 4 * i);
    b.writeInt16LE(-2, 96);
    b.write('twenty characters!!!', 98, 'latin1');
    b.write('hello\0', 118, 'latin1');
    b.writeBigUInt64LE(7n, 124);
    b.writeBigUInt64LE(1n << 63n, 132);
  });
  const r = decodeTracepointRecord(fmt, data);
  assert.equal(r.comm, 'worker');
  assert.equal(r.msg, 'hello');
  assert.deepEqual(r.ids, [7n, 1n << 63n]);
  assert.deepEqual(r.grid, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.addrs, Array(32).fill(0)); // unknown element type: bytes
  assert.equal(r.delta, -2);
  assert.equal(r.name, 'twenty characters!!!');

  const print = parseTracepointFormat(FTRACE_PRINT, 'ftrace', 'print');
  const p = decodeTracepointRecord(print, record(16 + 6, (b) => { b.writeBigUInt64LE(0xffffffff81000000n, 8); b.write('hi\n\0', 16, 'latin1'); }));
  assert.equal(p.ip, 0xffffffff81000000n);
  assert.equal(p.buf, 'hi\n'); // a flexible array runs to the end of the record
});
