// The whole compiler for one function, as far as it goes today: front end, lowering to IR,
// register allocation and instruction selection. Diagnostics for anything it cannot do.
import { frontend, type FrontendOptions } from './frontend.js';
import { Diagnostics, CompileError, type Diagnostic } from './diagnostics.js';
import { lowerFunction } from './ir/lower.js';
import { codegen, CodegenError } from './codegen/codegen.js';
import type { IrFunction } from './ir/ir.js';
import type { Insn } from '../isa/insn.js';

export interface CompiledFunction {
  name: string;
  insns: Insn[];
  ir: IrFunction;
  stack: number;
}

/** Compile function `name` from C source to BPF instructions (a subprogram: args in r1-r5, result in r0). */
export function compileFunction(text: string, name: string, opts: FrontendOptions & { isaV4?: boolean; jmp32?: boolean } = {}): CompiledFunction {
  const r = frontend(text, opts);
  if (!r.ok) throw new CompileError(r.diagnostics);
  const sym = r.unit!.functions.find((s) => s.name === name);
  const diags = new Diagnostics();
  if (!sym) {
    diags.error('codegen-no-function', `no function '${name}' is defined in this program`);
    throw new CompileError(diags.list);
  }
  const ir = lowerFunction(sym, diags, new Map(), { isaV4: opts.isaV4 });
  if (!ir) throw new CompileError(diags.list);
  try {
    const out = codegen(ir, { jmp32: opts.jmp32 });
    return { name, insns: out.insns, ir, stack: out.stack };
  } catch (e) {
    if (!(e instanceof CodegenError)) throw e;
    const d: Diagnostic = { severity: 'error', code: 'codegen-stack', message: e.message, loc: sym.loc, notes: [] };
    throw new CompileError([d]);
  }
}
