// The BTF reader against facts the kernel gives independently: bpftool's dump of the same BTF,
// the tracepoint format files, and the uapi constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../../src/btf/reader.js';
import { Kind, type BtfType } from '../../src/btf/types.js';
import { sizeOf, alignOf, findMember, memberPath, funcSignature, tracepointArgs, contextType, structByName, resolve } from '../../src/btf/query.js';
import { declaration, definition, typeName } from '../../src/btf/cprint.js';
import { tracefsPath, MapType } from '../../src/sys/index.js';

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
const haveBpftool = (() => { try { execFileSync('bpftool', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const root = process.getuid?.() === 0;

/** Compare one decoded type with bpftool's raw lines for it. */
function checkAgainstRaw(btf: Btf, head: string, body: string[]): void {
  const m = /^\[(\d+)\] (\w+) '(.*?)'(.*)$/.exec(head)!;
  const id = Number(m[1]);
  const t = btf.type(id) as BtfType & Record<string, unknown>;
  const ctx = `type [${id}] ${head}`;
  assert.equal(Kind[m[2] as keyof typeof Kind], t.kind, ctx);
  assert.equal(m[3] === '(anon)' ? '' : m[3], t.name, ctx);
  const attrs = Object.fromEntries([...m[4]!.matchAll(/(\w+)=([^\s,]+)/g)].map((x) => [x[1]!, x[2]!]));
  const num = (k: string) => Number(attrs[k]);
  switch (t.kind) {
    case Kind.INT:
      assert.equal(t.size, num('size'), ctx); assert.equal(t.bits, num('nr_bits'), ctx); assert.equal(t.bitOffset, num('bits_offset'), ctx);
      assert.equal(t.signed, attrs.encoding === 'SIGNED', ctx); assert.equal(t.char, attrs.encoding === 'CHAR', ctx); assert.equal(t.bool, attrs.encoding === 'BOOL', ctx);
      break;
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
      assert.equal(t.type, num('type_id'), ctx); break;
    case Kind.ARRAY:
      assert.equal(t.type, num('type_id'), ctx); assert.equal(t.indexType, num('index_type_id'), ctx); assert.equal(t.nelems, num('nr_elems'), ctx); break;
    case Kind.STRUCT: case Kind.UNION:
      assert.equal(t.size, num('size'), ctx); assert.equal(t.members.length, num('vlen'), ctx);
      t.members.forEach((mem, i) => {
        const b = /^\t'(.*?)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?$/.exec(body[i]!)!;
        assert.deepEqual([mem.name, mem.type, mem.bitOffset, mem.bitfieldSize],
          [b[1] === '(anon)' ? '' : b[1], Number(b[2]), Number(b[3]), Number(b[4] ?? 0)], `${ctx} member ${i}`);
      });
      break;
    case Kind.ENUM: case Kind.ENUM64:
      assert.equal(t.size, num('size'), ctx); assert.equal(t.values.length, num('vlen'), ctx); assert.equal(t.signed, attrs.encoding === 'SIGNED', ctx);
      t.values.forEach((v, i) => {
        const b = /^\t'(.*?)' val=(-?\d+)(?:U?LL)?$/.exec(body[i]!)!;
        assert.deepEqual([v.name, v.value], [b[1], BigInt(b[2]!)], `${ctx} value ${i}`);
      });
      break;
    case Kind.FWD: assert.equal(t.union, attrs.fwd_kind === 'union', ctx); break;
    case Kind.FUNC: assert.equal(t.type, num('type_id'), ctx); assert.equal(t.linkage, attrs.linkage, ctx); break;
    case Kind.FUNC_PROTO: {
      assert.equal(t.returnType, num('ret_type_id'), ctx);
      assert.equal(t.params.length + (t.variadic ? 1 : 0), num('vlen'), ctx);
      t.params.forEach((p, i) => {
        const b = /^\t'(.*?)' type_id=(\d+)$/.exec(body[i]!)!;
        assert.deepEqual([p.name, p.type], [b[1] === '(anon)' ? '' : b[1], Number(b[2])], `${ctx} param ${i}`);
      });
      break;
    }
    case Kind.VAR: assert.equal(t.type, num('type_id'), ctx); assert.equal(t.linkage, attrs.linkage, ctx); break;
    case Kind.DATASEC:
      assert.equal(t.size, num('size'), ctx);
      t.vars.forEach((v, i) => {
        const b = /^\ttype_id=(\d+) offset=(\d+) size=(\d+)/.exec(body[i]!)!;
        assert.deepEqual([v.type, v.offset, v.size], [Number(b[1]), Number(b[2]), Number(b[3])], `${ctx} var ${i}`);
      });
      break;
    case Kind.FLOAT: assert.equal(t.size, num('size'), ctx); break;
    case Kind.DECL_TAG: assert.equal(t.type, num('type_id'), ctx); assert.equal(t.componentIdx, num('component_idx'), ctx); break;
  }
}

test('every vmlinux type decodes as bpftool dumps it', { skip: (!haveBtf && 'no /sys/kernel/btf/vmlinux') || (!haveBpftool && 'bpftool not installed (apt-get install bpftool)'), timeout: 120000 }, () => {
  const btf = Btf.vmlinux();
  const raw = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'latin1', maxBuffer: 1 << 30 });
  const lines = raw.split('\n');
  let count = 0;
  for (let i = 0; i < lines.length;) {
    const head = lines[i++]!;
    if (!head.startsWith('[')) continue;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.startsWith('\t')) body.push(lines[i++]!);
    checkAgainstRaw(btf, head, body);
    count++;
  }
  assert.equal(count, btf.typeCount - 1, 'bpftool and tsbcc disagree on the number of types');
});

test('names: lookup by name and kind, structs over forward declarations, enumerators', { skip: !haveBtf && 'no BTF' }, () => {
  const btf = Btf.vmlinux();
  const ts = btf.find('task_struct');
  assert.ok(ts !== undefined);
  assert.equal(btf.kindOf(ts), Kind.STRUCT);
  assert.equal(btf.find('task_struct', Kind.FUNC), undefined);
  assert.equal(btf.find('no_such_type_anywhere'), undefined);
  assert.equal(btf.nameOf(btf.find('vfs_read', Kind.FUNC)!), 'vfs_read');
  // Kernel enums carry the uapi's numbers.
  assert.equal(btf.enumerator('BPF_MAP_TYPE_RINGBUF')?.value, BigInt(MapType.RINGBUF));
  assert.equal(btf.enumerator('BPF_MAP_TYPE_LPM_TRIE')?.value, BigInt(MapType.LPM_TRIE));
  assert.equal(btf.enumerator('TASK_COMM_LEN')?.value, 16n);
  assert.equal(btf.enumerator('NO_SUCH_ENUMERATOR'), undefined);
});

test('sizes, alignment and member offsets, through anonymous unions and bitfields', { skip: !haveBtf && 'no BTF' }, () => {
  const btf = Btf.vmlinux();
  const ts = btf.find('task_struct', Kind.STRUCT)!;
  assert.equal(sizeOf(btf, ts), (btf.type(ts) as { size: number }).size);
  assert.equal(sizeOf(btf, btf.find('pid_t')!), 4);
  assert.equal(sizeOf(btf, btf.find('u64')!), 8);
  // BTF records no alignment attributes: alignment is what the members need (task_struct's
  // ____cacheline_aligned shows only in its size, a multiple of 64).
  assert.equal(alignOf(btf, ts), 8);
  assert.equal(alignOf(btf, btf.find('pid_t')!), 4);
  const comm = findMember(btf, ts, 'comm')!;
  assert.equal(typeName(btf, comm.type), 'char [16]');
  // struct sock's skc_dport lives in an anonymous union inside __sk_common.
  const sock = btf.find('sock', Kind.STRUCT)!;
  const dport = memberPath(btf, sock, '__sk_common.skc_dport');
  assert.equal(sizeOf(btf, dport.type), 2);
  const common = findMember(btf, sock, '__sk_common')!;
  const inner = findMember(btf, common.type, 'skc_dport')!;
  assert.ok(inner.path.length >= 2, 'skc_dport should be found through an anonymous member');
  assert.equal(dport.bitOffset, common.bitOffset + inner.bitOffset);
  // A bitfield.
  const skb = btf.find('sk_buff', Kind.STRUCT)!;
  const cloned = findMember(btf, skb, 'cloned')!;
  assert.equal(cloned.bitfieldSize, 1);
  assert.throws(() => memberPath(btf, ts, 'tgidd'), /has no member tgidd \(did you mean tgid/);
});

test('struct layouts match the tracepoint format files', { skip: (!haveBtf || !root) && 'needs BTF and root (tracefs)' }, () => {
  const btf = Btf.vmlinux();
  // Events of a DEFINE_EVENT class share the class's trace_event_raw_<class> struct.
  for (const [cat, ev, cls] of [['sched', 'sched_switch', 'sched_switch'], ['sched', 'sched_wakeup', 'sched_wakeup_template'],
    ['sched', 'sched_process_fork', 'sched_process_fork'], ['sched', 'sched_process_exec', 'sched_process_exec'],
    ['block', 'block_rq_issue', 'block_rq'], ['sock', 'inet_sock_set_state', 'inet_sock_set_state']]) {
    const path = tracefsPath('events', cat!, ev!, 'format');
    if (!existsSync(path)) continue;
    const fields = [...readFileSync(path, 'latin1').matchAll(/field:(.*?);\s*offset:(\d+);\s*size:(\d+);/g)];
    const raw = structByName(btf, `trace_event_raw_${cls}`);
    let checked = 0;
    for (const f of fields) {
      let name = /(\w+)(\[.*\])?\s*$/.exec(f[1]!)![1]!;
      if (name.startsWith('common_')) continue;
      // A __data_loc field is a u32 named __data_loc_<field> in the struct.
      if (f[1]!.includes('__data_loc')) name = `__data_loc_${name}`;
      const m = findMember(btf, raw.id, name);
      assert.ok(m, `${cat}:${ev} field ${name} missing from trace_event_raw_${ev}`);
      assert.equal(m.bitOffset / 8, Number(f[2]), `${cat}:${ev} ${name} offset`);
      if (!/__data_loc|__rel_loc/.test(f[1]!)) assert.equal(sizeOf(btf, m.type), Number(f[3]), `${cat}:${ev} ${name} size`);
      checked++;
    }
    assert.ok(checked > 0);
  }
});

test('functions, tracepoint prototypes and program context types', { skip: !haveBtf && 'no BTF' }, () => {
  const btf = Btf.vmlinux();
  const vr = funcSignature(btf, 'vfs_read');
  assert.deepEqual(vr.params.map((p) => p.name), ['file', 'buf', 'count', 'pos']);
  assert.equal(typeName(btf, vr.params[0]!.type), 'struct file *');
  assert.throws(() => funcSignature(btf, 'vfs_reed'), /kernel function vfs_reed is not in BTF \(did you mean vfs_read/);
  const sw = tracepointArgs(btf, 'sched_switch');
  assert.equal(btf.nameOf(sw.typedefId), 'btf_trace_sched_switch');
  assert.deepEqual(sw.params.map((p) => typeName(btf, p.type)), ['bool', 'struct task_struct *', 'struct task_struct *', 'unsigned int']);
  assert.throws(() => tracepointArgs(btf, 'sched_swtich'), /no BTF for tracepoint sched_swtich/);
  assert.equal(btf.nameOf(resolve(btf, contextType(btf, 'SOCKET_FILTER')!)), '__sk_buff');
  assert.equal(btf.nameOf(resolve(btf, contextType(btf, 'XDP')!)), 'xdp_md');
  assert.equal(btf.nameOf(resolve(btf, contextType(btf, 'PERF_EVENT')!)), 'bpf_perf_event_data');
});

test('types print back as C', { skip: !haveBtf && 'no BTF' }, () => {
  const btf = Btf.vmlinux();
  assert.equal(definition(btf, btf.find('pid_t', Kind.TYPEDEF)!), 'typedef __kernel_pid_t pid_t;');
  assert.equal(definition(btf, btf.find('vfs_read', Kind.FUNC)!).replace(/__user /g, ''),
    'static ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos);');
  assert.equal(definition(btf, btf.find('btf_trace_sched_switch', Kind.TYPEDEF)!),
    'typedef void (*btf_trace_sched_switch)(void *, bool, struct task_struct *, struct task_struct *, unsigned int);');
  const sw = definition(btf, btf.find('trace_event_raw_sched_switch', Kind.STRUCT)!);
  assert.match(sw, /^struct trace_event_raw_sched_switch \{\n\tstruct trace_entry ent;\n\tchar prev_comm\[16\];\n/);
  assert.match(definition(btf, btf.find('sk_buff', Kind.STRUCT)!), /\t__u8 cloned: 1;/);
  assert.equal(declaration(btf, btf.find('file_operations', Kind.STRUCT)!, 'fops'), 'struct file_operations fops');
});

test('printed structs compile to the kernel\'s layout (gcc, against bpftool\'s vmlinux.h)', {
  skip: (!haveBtf && 'no BTF') || (!haveBpftool && 'bpftool not installed'), timeout: 180000,
}, () => {
  const btf = Btf.vmlinux();
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-btf-'));
  try {
    writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 30 }));
    // bpftool renames the second of two types sharing a tag name (console___2); our C names both
    // `console`. Structs embedding such a type by value cannot be compared by name: left out.
    const counts = new Map<string, number>();
    for (const k of [Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64]) for (const [n] of btf.names(k)) counts.set(n, (counts.get(n) ?? 0) + 1);
    const ambiguous = (id: number): boolean => {
      let t = btf.type(resolve(btf, id));
      while (t.kind === Kind.ARRAY) t = btf.type(resolve(btf, t.type));
      if (t.kind !== Kind.STRUCT && t.kind !== Kind.UNION) return false;
      return t.name ? (counts.get(t.name) ?? 0) > 1 : t.members.some((m) => ambiguous(m.type));
    };
    const out = ['#include "vmlinux.h"'];
    let structs = 0, asserts = 0;
    const seen = new Set<string>();
    for (const [name, id] of btf.names(Kind.STRUCT)) {
      const t = btf.type(id) as { members: { name: string; type: number; bitfieldSize: number }[] };
      if (seen.has(name) || (counts.get(name) ?? 0) > 1 || t.members.some((m) => ambiguous(m.type))) continue;
      seen.add(name);
      structs++;
      out.push(definition(btf, id).replace(`struct ${name} {`, `struct ${name}__copy {`));
      out.push(`_Static_assert(sizeof(struct ${name}__copy) == sizeof(struct ${name}), "size ${name}");`);
      for (const m of t.members) {
        if (!m.name || m.bitfieldSize) continue;
        out.push(`_Static_assert(__builtin_offsetof(struct ${name}__copy, ${m.name}) == __builtin_offsetof(struct ${name}, ${m.name}), "offset ${name}.${m.name}");`);
        asserts++;
      }
    }
    writeFileSync(join(dir, 'check.c'), out.join('\n'));
    let errors = '';
    try {
      execFileSync('gcc', ['-fsyntax-only', '-w', 'check.c'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
    } catch (e) {
      errors = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    // Inline anonymous enums are declared again by the copies: that error is expected, nothing else.
    const failures = errors.split('\n').filter((l) => /error:/.test(l) && !/redeclaration of enumerator|conflicting types for .wchar_t/.test(l));
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} layout differences`);
    assert.ok(structs > 5000, `only ${structs} structs compared`);
    console.log(`# ${structs} structs, ${asserts} member offsets: same layout as the kernel's`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsbcc btf: prints a type, and names near matches for an unknown one', { skip: !haveBtf && 'no BTF' }, () => {
  const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
  const ts = execFileSync(process.execPath, [cli, 'btf', 'struct', 'task_struct'], { encoding: 'utf8' });
  assert.match(ts, /^struct task_struct \{\n\tstruct thread_info thread_info;\n/);
  assert.match(ts, /\tchar comm\[16\];\n/);
  assert.match(ts, /\n\};\n$/);
  const json = JSON.parse(execFileSync(process.execPath, [cli, 'btf', 'struct', 'ethhdr', '--json'], { encoding: 'utf8' }));
  assert.deepEqual(json.members.map((m: { name: string; offset: number }) => [m.name, m.offset]), [['h_dest', 0], ['h_source', 6], ['h_proto', 12]]);
  const r = spawnSync(process.execPath, [cli, 'btf', 'struct', 'task_strct'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^tsbcc btf: struct task_strct is not in the kernel's BTF \(did you mean task_struct/);
  const tp = execFileSync(process.execPath, [cli, 'btf', 'tracepoint', 'sched_switch'], { encoding: 'utf8' });
  assert.match(tp, /ctx->args\[1\]: struct task_struct \*/);
});
