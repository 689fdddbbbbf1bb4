// Kernel types imported from the running kernel's BTF: offsets are BTF's own, and laying the
// imported members out again with layoutRecord reproduces them wherever the kernel's source used
// no alignment attribute (and where it did, BTF's offset is the larger one, never the smaller).
// Needs /sys/kernel/btf/vmlinux, not root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Btf } from '../../src/btf/reader.js';
import { Kind, type StructType } from '../../src/btf/types.js';
import { findMember } from '../../src/btf/query.js';
import { BtfTypeImporter, inferAlignment } from '../../src/compiler/check/btf_import.js';
import { layoutRecord, findField, fieldNames, LayoutError, type MemberDecl } from '../../src/compiler/check/layout.js';
import {
  INT, CHAR, LONG, KERNEL_TYPEDEFS, alignOf, type RecordT, type Field,
  typeToString, sameType, isRecord, canonicalize,
} from '../../src/compiler/check/types.js';

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
const skip = !haveBtf && 'this kernel exposes no BTF at /sys/kernel/btf/vmlinux';

const NAMED = ['task_struct', 'sock', 'sk_buff', 'file', 'inode', 'request', 'pt_regs', 'trace_event_raw_sched_switch'];

/** Deterministic sample: 200 named structs picked by a fixed LCG. */
function sample(btf: Btf, n: number): number[] {
  const all: number[] = [];
  for (const [name, id] of btf.names(Kind.STRUCT)) if (name) all.push(id);
  let x = 0x2545f491;
  const picked = new Set<number>();
  while (picked.size < Math.min(n, all.length)) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    picked.add(all[x % all.length]!);
  }
  return [...picked];
}

/** BTF's members and the imported fields say the same thing. */
function sameAsBtf(rec: RecordT, st: StructType): void {
  const fields = rec.fields!;
  assert.equal(fields.length, st.members.length, st.name);
  assert.equal(rec.size, st.size);
  st.members.forEach((m, i) => {
    const f = fields[i]!;
    const ctx = `${st.name}.${m.name || `#${i}`}`;
    assert.equal(f.name ?? '', m.name, ctx);
    if (m.bitfieldSize) {
      assert.equal(f.bitOffset, m.bitOffset, ctx); assert.equal(f.bitWidth, m.bitfieldSize, ctx);
      assert.equal(f.offset, Math.floor(m.bitOffset / 8), ctx);
    } else {
      assert.equal(f.offset * 8, m.bitOffset, ctx); assert.equal(f.bitWidth, undefined, ctx);
    }
  });
}

const bitPos = (f: Field): number => f.bitOffset ?? f.offset * 8;

type Verdict = { kind: 'same' } | { kind: 'larger'; where: string } | { kind: 'smaller'; where: string } | { kind: 'error'; where: string };

/** Re-lay the imported members out and compare with BTF: same, BTF larger (padding BTF cannot express), or BTF smaller. */
function relayout(rec: RecordT, extra?: { memberAlign: (number | undefined)[]; align: number }): Verdict {
  const fields = rec.fields!;
  const members: MemberDecl[] = fields.map((f, i) => ({ name: f.name, type: f.type, bitWidth: f.bitWidth, aligned: extra?.memberAlign[i] }));
  let l;
  try {
    l = layoutRecord(rec.kind, members, { packed: rec.packed, aligned: extra?.align });
  } catch (e) {
    if (e instanceof LayoutError) return { kind: 'error', where: e.message };
    throw e;
  }
  for (let i = 0; i < fields.length; i++) {
    const btf = bitPos(fields[i]!), ours = bitPos(l.fields[i]!);
    if (btf === ours) continue;
    const where = `${rec.kind} ${rec.name ?? '(anon)'} member ${fields[i]!.name ?? `#${i}`}: BTF bit ${btf}, natural ${ours}`;
    return btf > ours ? { kind: 'larger', where } : { kind: 'smaller', where };
  }
  if (l.size === rec.size) return { kind: 'same' };
  const where = `${rec.kind} ${rec.name ?? '(anon)'} size: BTF ${rec.size}, natural ${l.size}`;
  return rec.size > l.size ? { kind: 'larger', where } : { kind: 'smaller', where };
}

test('importing task_struct is lazy and fast', { skip }, () => {
  const data = readFileSync('/sys/kernel/btf/vmlinux');
  /** Import task_struct and look a member up, on a freshly parsed BTF (nothing decoded yet) or a given one. */
  const importTask = (btf = Btf.parse(data, undefined, 'vmlinux')) => {
    const t0 = performance.now();
    const imp = new BtfTypeImporter(btf);
    const task = imp.record('task_struct')!;
    const pid = findField(task, 'pid')!;
    return { ms: performance.now() - t0, imp, task, pid, btf };
  };
  // First in the process: BTF undecoded and the code not yet compiled by the JIT.
  const cold = importTask();
  assert.equal(typeToString(cold.pid.field.type), 'pid_t');
  // Only task_struct's own fields were made; the records it points to are shells.
  const stats = cold.imp.stats();
  assert.equal(stats.recordsWithFields, 1);
  // Warm the code on other records, then: fresh BTF (what each new Btf pays), and decoded BTF with a new importer.
  for (let i = 0; i < 30; i++) {
    const imp = new BtfTypeImporter(Btf.parse(data));
    for (const n of ['sock', 'sk_buff', 'file', 'inode', 'mm_struct', 'net_device']) findField(imp.record(n)!, 'x');
  }
  const best = (f: () => number) => Math.min(...Array.from({ length: 5 }, f));
  const fresh = best(() => importTask().ms);
  const decoded = best(() => importTask(cold.btf).ms);
  console.log(`task_struct import + member lookup: ${cold.ms.toFixed(3)} ms first in process (BTF undecoded, code cold); ` +
    `${fresh.toFixed(3)} ms on freshly parsed BTF; ${decoded.toFixed(3)} ms with BTF decoded; ` +
    `${cold.task.fields!.length} members, ${stats.types} BTF types imported, ${stats.records} records made, ${stats.recordsWithFields} with fields`);
  assert.ok(fresh < 1, `import of task_struct took ${fresh.toFixed(3)} ms`);
  assert.ok(decoded < 1, `import of task_struct took ${decoded.toFixed(3)} ms`);
});

test('kernel records: imported fields carry BTF offsets, and re-layout matches except where BTF records more padding', { skip }, () => {
  const btf = Btf.vmlinux();
  const imp = new BtfTypeImporter(btf);
  const ids = [...new Set([...NAMED.map((n) => btf.find(n, Kind.STRUCT)!), ...sample(btf, 200)])];
  assert.equal(ids.length >= 200, true);
  const counts = { same: 0, larger: 0, smaller: 0, error: 0 };
  const larger: string[] = [];
  for (const id of ids) {
    const st = btf.type(id) as StructType;
    const rec = imp.import(id).type as RecordT;
    sameAsBtf(rec, st);
    const v = relayout(rec);
    counts[v.kind]++;
    if (v.kind === 'larger') larger.push(v.where);
    assert.ok(v.kind !== 'smaller' && v.kind !== 'error', 'where' in v ? v.where : '');
  }
  console.log(`named + 200 random structs: ${ids.length} checked; ${counts.same} re-laid out exactly, ${counts.larger} where BTF has padding ` +
    `an alignment attribute put there (e.g. ${larger.slice(0, 3).join('; ')})`);
  for (const n of NAMED) assert.ok(imp.record(n)!.fields!.length > 0, n);
});

test('every named struct and union in vmlinux: re-layout with natural alignment, then with the inferred alignment', { skip }, () => {
  const btf = Btf.vmlinux();
  const imp = new BtfTypeImporter(btf);
  const natural = { same: 0, larger: 0, smaller: 0, error: 0 };
  const inferred = { same: 0, larger: 0, smaller: 0, error: 0 };
  const problems: string[] = [];
  let total = 0, packed = 0, overAligned = 0;
  for (const kind of [Kind.STRUCT, Kind.UNION]) {
    for (const [name, id] of btf.names(kind)) {
      if (!name) continue;
      total++;
      const rec = imp.import(id).type as RecordT;
      sameAsBtf(rec, btf.type(id) as StructType);
      const v = relayout(rec);
      natural[v.kind]++;
      if (v.kind === 'smaller' || v.kind === 'error') problems.push(v.where);
      if (rec.packed) packed++;
      const inf = inferAlignment(rec.kind, rec.fields!, rec.size);
      if (inf.align > naturalAlign(rec)) overAligned++;
      const w = relayout(rec, { memberAlign: inf.memberAlign, align: rec.align });
      inferred[w.kind]++;
      if (w.kind !== 'same' && v.kind === 'same') problems.push(`inference broke an exact layout: ${w.where}`);
    }
  }
  console.log(`all ${total} named structs/unions: natural layout ${JSON.stringify(natural)}; ` +
    `with inferred member/record alignment ${JSON.stringify(inferred)}; ${packed} packed, ${overAligned} aligned beyond natural`);
  assert.deepEqual(problems, []);
  // What remains after inference is a gap after a bitfield (an unnamed bitfield BTF drops), never a smaller offset.
  assert.equal(inferred.smaller, 0);
  assert.ok(inferred.larger <= natural.larger);
  assert.ok(inferred.larger * 100 < total, `${inferred.larger} of ${total} still differ`);
});

function naturalAlign(rec: RecordT): number {
  let a = 1;
  for (const f of rec.fields!) if (f.bitWidth === undefined || f.name !== undefined) a = Math.max(a, alignOf(f.type.type));
  return rec.packed ? 1 : a;
}

test('member lookup through anonymous members agrees with the BTF query layer', { skip }, () => {
  const btf = Btf.vmlinux();
  const imp = new BtfTypeImporter(btf);
  let n = 0;
  for (const name of NAMED) {
    const id = btf.find(name, Kind.STRUCT)!;
    const rec = imp.record(name)!;
    for (const member of fieldNames(rec)) {
      const ours = findField(rec, member)!;
      const theirs = findMember(btf, id, member)!;
      const bits = ours.bitOffset ?? ours.offset * 8;
      assert.equal(bits, theirs.bitOffset, `${name}.${member}`);
      assert.equal(ours.field.bitWidth ?? 0, theirs.bitfieldSize, `${name}.${member}`);
      assert.equal(ours.path.length, theirs.path.length, `${name}.${member}`);
      n++;
    }
  }
  assert.ok(n > 500, `${n} members`);
});

test('kernel typedefs, enums and functions as C types', { skip }, () => {
  const btf = Btf.vmlinux();
  const imp = new BtfTypeImporter(btf);
  const pid = imp.typedef('pid_t')!;
  assert.equal(pid.type, INT); assert.equal(pid.typedefName, 'pid_t');
  const u64 = imp.typedef('u64')!;
  assert.equal(typeToString(u64), 'u64');
  // Every implicit typedef the checker registers means what the kernel's own typedef means.
  const disagree: string[] = [];
  let checked = 0;
  for (const [name, qt] of KERNEL_TYPEDEFS) {
    const k = imp.typedef(name);
    if (!k) continue;
    checked++;
    if (!sameType(canonicalize(k).type, qt.type)) disagree.push(`${name}: kernel ${typeToString(canonicalize(k))}, ours ${typeToString(canonicalize(qt))}`);
  }
  assert.deepEqual(disagree, []);
  assert.ok(checked > 30, `${checked} typedefs checked`);

  const comm = findField(imp.record('task_struct')!, 'comm')!;
  assert.equal(typeToString(comm.field.type, 'comm'), 'char comm[16]');
  assert.equal((comm.field.type.type as { of: { type: unknown } }).of.type, CHAR);
  const rp = findField(imp.record('task_struct')!, 'real_parent')!;
  assert.equal(typeToString(rp.field.type), 'struct task_struct *');
  assert.equal((rp.field.type.type as { to: { type: unknown } }).to.type, imp.record('task_struct'), 'one record object per BTF id');

  const vfsRead = imp.func('vfs_read')!;
  assert.equal(typeToString({ type: vfsRead }), 'ssize_t (struct file *, char *, size_t, loff_t *)');
  assert.equal(vfsRead.params[2]!.name, 'count');
  assert.equal(vfsRead.ret.type, LONG); assert.equal(vfsRead.ret.typedefName, 'ssize_t');

  const e = imp.enumerator('BPF_MAP_TYPE_HASH')!;
  assert.equal(e.value, 1n); assert.equal(e.type.name, 'bpf_map_type'); assert.equal(e.type.base.signed, false);
  assert.equal(imp.enumType('bpf_map_type'), e.type);
  assert.equal(imp.record('no_such_struct_xyz'), undefined);
  assert.equal(imp.record('task_struct', 'union'), undefined);

  // sk_buff keeps its anonymous unions; their members are reachable by name.
  const skb = imp.record('sk_buff')!;
  assert.ok(skb.fields!.some((f) => f.name === undefined && isRecord(f.type.type)));
  assert.ok(findField(skb, 'len') && findField(skb, 'data'));
  assert.equal(typeToString(findField(skb, 'dev')!.field.type), 'struct net_device *');
});
