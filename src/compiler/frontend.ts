// The front half of the compiler, stage by stage: preprocess -> parse -> check.
// Kernel types come from BTF when one is given (the compiler itself never touches the kernel).
import { SourceSet, type SourceFile } from './source.js';
import { Diagnostics, CompileError, type Diagnostic } from './diagnostics.js';
import { preprocess, type PreprocessOptions } from './preprocess/index.js';
import { builtinHeaders } from './preprocess/headers.js';
import { KERNEL_MACROS } from './preprocess/kernel_macros.js';
import { parse } from './parse/parser.js';
import type { TranslationUnit } from './parse/ast.js';
import { check, type CheckedUnit, type CheckOptions } from './check/checker.js';
import { KERNEL_TYPEDEFS } from './check/types.js';
import { BtfTypeImporter } from './check/btf_import.js';
import type { Btf } from '../btf/reader.js';
import { Kind } from '../btf/types.js';

export interface FrontendOptions {
  /** File name for messages (default "<source>"). */
  filename?: string;
  /** -D NAME=VALUE */
  defines?: Record<string, string>;
  /** -I directories for #include "..." */
  includeDirs?: string[];
  /** Kernel BTF for types and constants the source does not declare. */
  btf?: Btf;
  /** CONFIG_* values (default: none; the BPF class passes the running kernel's). */
  kernelConfig?: Map<string, string>;
  linuxVersionCode?: number;
  readFile?: PreprocessOptions['readFile'];
  implicitFunctions?: CheckOptions['implicitFunctions'];
  /** Headers read before the program (a dialect's prelude), as `-include` does. */
  includes?: string[];
  /** More built-in headers, by name (a dialect's generated declarations); they win over the standard ones. */
  extraHeaders?: Record<string, string>;
  /** Between parsing and checking: a dialect's rewriting of the unit (AST to AST). */
  transformUnit?: (tu: TranslationUnit, diags: Diagnostics) => void;
  /** A dialect's rewriting of calls the checker meets (see CheckOptions.rewriteCall). */
  rewriteCall?: CheckOptions['rewriteCall'];
  /** Stop after this stage (tests and benchmarks). */
  until?: 'preprocess' | 'parse' | 'check';
}

export interface FrontendResult {
  sources: SourceSet;
  main: SourceFile;
  diagnostics: Diagnostic[];
  tu?: TranslationUnit;
  unit?: CheckedUnit;
  ok: boolean;
}

const importers = new WeakMap<Btf, BtfTypeImporter>();

/** Preprocess, parse and check C source. Never throws for bad input: problems come back as diagnostics. */
export function frontend(text: string, opts: FrontendOptions = {}): FrontendResult {
  const sources = new SourceSet();
  const main = sources.add(opts.filename ?? '<source>', text);
  const diags = new Diagnostics();
  let importer: BtfTypeImporter | undefined;
  if (opts.btf) {
    importer = importers.get(opts.btf);
    if (!importer) importers.set(opts.btf, (importer = new BtfTypeImporter(opts.btf)));
  }
  const result: FrontendResult = { sources, main, diagnostics: diags.list, ok: false };
  const standard = builtinHeaders(opts.btf);
  const extra = opts.extraHeaders;
  const builtinHeader = extra ? (name: string) => extra[name] ?? standard(name) : standard;
  const tokens = preprocess(sources, main, diags, {
    defines: opts.defines, includeDirs: opts.includeDirs, builtinHeader, readFile: opts.readFile, includes: opts.includes,
    kernelConfig: opts.kernelConfig, linuxVersionCode: opts.linuxVersionCode,
  });
  if (opts.until === 'preprocess') return { ...result, ok: !diags.hasErrors };
  const btf = opts.btf;
  const tu = parse(tokens, diags, {
    typedefs: KERNEL_TYPEDEFS.keys(),
    isExternalTypedef: btf ? (name) => btf.find(name, Kind.TYPEDEF) !== undefined : undefined,
  });
  result.tu = tu;
  if (opts.until === 'parse') return { ...result, ok: !diags.hasErrors };
  if (opts.transformUnit && !diags.hasErrors) opts.transformUnit(tu, diags);
  result.unit = check(tu, diags, { btf: importer, kernelMacros: KERNEL_MACROS, implicitFunctions: opts.implicitFunctions, rewriteCall: opts.rewriteCall });
  result.ok = !diags.hasErrors;
  return result;
}

/** The front end as the library uses it: throws CompileError with every diagnostic when there are errors. */
export function checkSource(text: string, opts: FrontendOptions = {}): CheckedUnit {
  const r = frontend(text, opts);
  if (!r.ok) throw new CompileError(r.diagnostics);
  return r.unit!;
}
