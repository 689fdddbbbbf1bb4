// `tsbcc compile`: compile a BCC-dialect program and say what came out — per program its type,
// attach point and size — optionally load every program into the kernel (not attached) to ask the
// verifier, and print instructions with the C lines they came from.
import { parseArgs } from 'node:util';
import { readFileSync, existsSync } from 'node:fs';
import { compileBcc, type BccObject, type UsdtSpecs } from './index.js';
import { CompileError, formatDiagnostic } from '../diagnostics.js';
import { readKernelConfig } from '../preprocess/kconfig.js';
import { Btf } from '../../btf/reader.js';
import { disassemble } from '../../isa/disasm.js';
import { isLdImm64 } from '../../isa/insn.js';
import type { ProgramDef } from '../../load/object.js';
import type { ProgTypeName } from '../../sys/uapi.js';

export const COMPILE_USAGE = `  compile FILE [--load] [--disasm] [--type FN=KIND]... [--usdt FN=BINARY:PROVIDER:NAME]... [--pid PID] [-D NAME[=V]] [-I DIR]
                              compile a BCC-dialect program (BPF_HASH, kprobe__fn, TRACEPOINT_PROBE...)
                              and list its programs; --load asks the kernel's verifier about each
                              one (nothing is attached); --disasm prints instructions under their C lines;
                              --usdt compiles FN's bpf_usdt_readarg calls for that USDT probe (in
                              process PID, for a PIE binary whose probe has differing locations)`;

const USAGE = 'usage: tsbcc compile FILE [--load] [--disasm] [--type FN=KIND]... [--usdt FN=BINARY:PROVIDER:NAME]... [--pid PID] [-D NAME[=V]] [-I DIR]\n';

/** Run `tsbcc compile`; returns the exit code. */
export async function compileCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: {
      load: { type: 'boolean' }, disasm: { type: 'boolean' }, type: { type: 'string', multiple: true },
      usdt: { type: 'string', multiple: true }, pid: { type: 'string' },
      define: { type: 'string', short: 'D', multiple: true }, include: { type: 'string', short: 'I', multiple: true } } });
  } catch (e) {
    process.stderr.write(`tsbcc compile: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) { process.stderr.write(USAGE); return 2; }
  const file = positionals[0]!;
  if (!existsSync(file)) { process.stderr.write(`tsbcc compile: ${file}: no such file\n`); return 1; }
  const types: Record<string, string> = {};
  for (const t of values.type ?? []) {
    const i = t.indexOf('=');
    if (i <= 0) { process.stderr.write(`tsbcc compile: --type wants FN=KIND (e.g. --type my_filter=socket_filter), not '${t}'\n`); return 2; }
    types[t.slice(0, i)] = t.slice(i + 1);
  }
  const pid = values.pid === undefined ? undefined : Number(values.pid);
  if (pid !== undefined && !(Number.isInteger(pid) && pid > 0)) { process.stderr.write(`tsbcc compile: --pid wants a process id, not '${values.pid}'\n`); return 2; }
  const usdt: UsdtSpecs = {};
  for (const u of values.usdt ?? []) {
    const m = /^(\w+)=(.+):(\w+):(\w+)$/.exec(u);
    if (!m) { process.stderr.write(`tsbcc compile: --usdt wants FN=BINARY:PROVIDER:NAME (e.g. --usdt on_req=/usr/bin/node:node:http__server__request), not '${u}'\n`); return 2; }
    try {
      const { usdtContextFor } = await import('../../attach/usdt.js');
      usdt[m[1]!] = usdtContextFor(m[2]!, m[3]!, m[4]!, pid);
    } catch (e) {
      process.stderr.write(`tsbcc compile: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const defines = Object.fromEntries((values.define ?? []).map((d) => { const i = d.indexOf('='); return i < 0 ? [d, '1'] : [d.slice(0, i), d.slice(i + 1)]; }));
  const btf = existsSync('/sys/kernel/btf/vmlinux') ? Btf.vmlinux() : undefined;
  const color = process.stderr.isTTY;
  let spec: BccObject;
  const t0 = performance.now();
  try {
    // The kernel's features decide the instruction set; without the native addon, assume v3.
    let target: { isaV4?: boolean; jmp32?: boolean; helperAvailable?: (t: ProgTypeName, id: number) => boolean } = {};
    try {
      const { features } = await import('../../sys/index.js');
      target = { isaV4: features.haveIsaV4(), jmp32: features.haveJmp32(), helperAvailable: features.haveHelper };
    } catch { /* not on this machine */ }
    spec = compileBcc(readFileSync(file, 'utf8'), { filename: file, defines, includeDirs: values.include, btf, kernelConfig: readKernelConfig(), types, usdt, ...target });
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const shown = e.diagnostics.filter((d) => d.code !== 'object-license');
    for (const d of shown) process.stderr.write(formatDiagnostic(d, { color }) + '\n');
    const n = shown.filter((d) => d.severity === 'error').length;
    process.stderr.write(`${file}: ${n} error${n === 1 ? '' : 's'}\n`);
    return 1;
  }
  const ms = performance.now() - t0;
  for (const d of spec.warnings) process.stderr.write(formatDiagnostic(d, { color }) + '\n');
  const rows = spec.probes.map((p) => [p.name, p.type.toLowerCase(), p.attach ? `${p.attach.kind} ${p.attach.target}` : '-', String(p.insnCount)]);
  const head = ['PROGRAM', 'TYPE', 'ATTACH', 'INSNS'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  if (spec.tables.length) console.log(`tables: ${spec.tables.map((t) => `${t.name} (${t.macro}, ${t.keySize}/${t.valueSize} bytes, ${t.maxEntries} entries)`).join(', ')}`);
  console.log(`${file}: ${spec.programs.length} program${spec.programs.length === 1 ? '' : 's'} compiled in ${ms.toFixed(1)} ms`);
  if (values.disasm) for (const p of spec.programs) printDisasm(p, spec);
  if (values.load) return loadAll(spec);
  return 0;
}

/** Load every program (and its maps) into the kernel; 0 if the verifier accepts them all. */
async function loadAll(spec: BccObject): Promise<number> {
  const { loadObject, VerifierError, formatVerifierError } = await import('../../load/index.js');
  let failed = 0;
  // One program at a time, so one refusal does not hide the others' verdicts.
  for (const p of spec.programs) {
    try {
      const obj = loadObject({ ...spec, programs: [p] });
      obj.close();
      console.log(`${p.name}: accepted by the verifier`);
    } catch (e) {
      failed++;
      if (e instanceof VerifierError) process.stderr.write(`${p.name}: rejected by the verifier\n${formatVerifierError(e)}\n`);
      else process.stderr.write(`${p.name}: cannot load: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Instructions with the C source line each run of them came from (the program's line_info). */
function printDisasm(p: ProgramDef, spec: BccObject): void {
  console.log(`\n${p.name}:`);
  const lines = new Map<number, string>();
  if (p.lineInfo && spec.btf) {
    const btf = Btf.parse(spec.btf);
    for (let o = 0; o + 16 <= p.lineInfo.length; o += 16) {
      const insn = p.lineInfo.readUInt32LE(o), file = btf.str(p.lineInfo.readUInt32LE(o + 4));
      const text = btf.str(p.lineInfo.readUInt32LE(o + 8)), line = p.lineInfo.readUInt32LE(o + 12) >>> 10;
      lines.set(insn, `; ${text} @ ${file}:${line}`);
    }
  }
  const out = disassemble(p.insns);
  let slot = 0;
  for (const l of out) {
    const c = lines.get(slot);
    if (c) console.log(c);
    console.log(l);
    slot += isLdImm64(p.insns[slot]!) ? 2 : 1;
  }
}
