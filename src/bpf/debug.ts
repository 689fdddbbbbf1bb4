// The BPF class's debug output (BCC's DEBUG_BPF / DEBUG_SOURCE): a program's instructions as
// bpftool prints them, optionally under the C source line each run of them came from (from the
// program's line_info records against the object's BTF).
import type { ProgramDef } from '../load/object.js';
import { Btf } from '../btf/reader.js';
import { disassemble } from '../isa/disasm.js';

/** The text to print for a program about to be loaded. */
export function programListing(p: ProgramDef, btf: Buffer | undefined, withSource: boolean): string {
  const source = new Map<number, string>();
  if (withSource && btf && p.lineInfo) {
    const b = Btf.parse(btf);
    // bpf_line_info: insn_off (in instructions), file_name_off, line_off, line_col (line << 10 | col).
    for (let o = 0; o + 16 <= p.lineInfo.length; o += 16) {
      const insn = p.lineInfo.readUInt32LE(o);
      const line = p.lineInfo.readUInt32LE(o + 12) >>> 10;
      source.set(insn, `; ${b.str(p.lineInfo.readUInt32LE(o + 8)).trim()} @ ${b.str(p.lineInfo.readUInt32LE(o + 4))}:${line}`);
    }
  }
  const out = [`${p.name}:`];
  for (const l of disassemble(p.insns)) {
    const c = source.get(Number(/^\s*(\d+):/.exec(l)?.[1]));
    if (c) out.push(c);
    out.push(l);
  }
  return out.join('\n') + '\n';
}
