// The C11 preprocessor: macros (object-like, function-like, variadic, # and ##), conditionals,
// #include, #line, #error, pragmas, and the predefined macros of a BPF compilation.
//
// Expansion follows Prosser's hide-set algorithm (the one behind C11 6.10.3.4's "painted blue"
// rule): each token carries the set of macro names that must not expand it again. Input comes
// from a stack of pending tokens (macro results, pushed in reverse) over a stack of files, each
// read lazily by its own lexer, so skipped groups are skipped by a line scanner, not tokenized.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceFile, type Loc, type SourceSet } from '../source.js';
import { Diagnostics, TooManyErrors } from '../diagnostics.js';
import { T, type Token } from '../token.js';
import { Lexer, PPToken, singleTokenKind, isStrayChar, type HideSet } from './lexer.js';
import { evalCondition } from './expr.js';
import { readKernelConfig, runningKernelVersionCode } from './kconfig.js';

export interface PreprocessOptions {
  /** -D: name (or `name(params)`) to replacement text; '1' when the value is undefined. */
  defines?: Record<string, string | undefined>;
  /** -U: names to leave undefined (after defines and predefined macros). */
  undefines?: string[];
  /** -I: directories searched for #include. */
  includeDirs?: string[];
  /** Text of a built-in (virtual) header, by the name written in #include, or undefined. */
  builtinHeader?: (name: string) => string | undefined;
  /** Read a user file; undefined if it does not exist. Default: the file system. */
  readFile?: (path: string) => string | undefined;
  /** CONFIG_* macros (name to value), as readKernelConfig() gives. Default: the running kernel's. */
  kernelConfig?: Map<string, string>;
  /** LINUX_VERSION_CODE. Default: the running kernel's. */
  linuxVersionCode?: number;
  /** Define the predefined macros of a BPF compilation (__bpf__, __STDC_VERSION__, ...). Default true. */
  predefined?: boolean;
  /** -include: headers read before the main file, as if it began with `#include <name>` (a dialect's prelude). */
  includes?: string[];
}

/** The __builtin_* functions the compiler implements: what `__has_builtin(x)` answers true for. */
export const SUPPORTED_BUILTINS: ReadonlySet<string> = new Set([
  '__builtin_memcpy', '__builtin_memset', '__builtin_memcmp', '__builtin_offsetof', '__builtin_expect',
  '__builtin_constant_p', '__builtin_bswap16', '__builtin_bswap32', '__builtin_bswap64',
  '__builtin_clz', '__builtin_clzl', '__builtin_clzll', '__builtin_ctz', '__builtin_ctzl', '__builtin_ctzll',
  '__builtin_types_compatible_p', '__builtin_choose_expr', '__builtin_preserve_access_index',
]);

/** Attributes `__has_attribute(x)` answers true for (the parser accepts or ignores them). */
const SUPPORTED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'aligned', 'always_inline', 'noinline', 'packed', 'section', 'unused', 'used', 'weak', 'noreturn',
  'const', 'pure', 'format', 'deprecated', 'fallthrough', 'cold', 'hot', 'nonnull', 'warn_unused_result',
  'visibility', 'gnu_inline', 'may_alias', 'preserve_access_index', 'btf_type_tag', 'btf_decl_tag',
  'flatten', 'noclone', 'no_instrument_function', 'externally_visible', 'designated_init', 'mode',
  'transparent_union', 'cleanup', 'constructor', 'destructor', 'alias', 'naked',
]);

/** Predefined macros, as #define lines. LINUX_VERSION_CODE is added per compilation. */
const PREDEFINED = [
  '__STDC__ 1', '__STDC_VERSION__ 201112L', '__STDC_HOSTED__ 1',
  '__x86_64__ 1', '__x86_64 1', '__TARGET_ARCH_x86 1', '__linux__ 1', '__linux 1', '__unix__ 1',
  '__bpf__ 1', '__BPF__ 1', '__BPF_TRACING__ 1', '__KERNEL__ 1',
  '__GNUC__ 4', '__GNUC_MINOR__ 2', '__GNUC_PATCHLEVEL__ 1', '__clang__ 1', '__clang_major__ 14', '__clang_minor__ 0',
  '__OPTIMIZE__ 1', '__LP64__ 1', '_LP64 1', '__CHAR_BIT__ 8',
  '__SIZEOF_SHORT__ 2', '__SIZEOF_INT__ 4', '__SIZEOF_LONG__ 8', '__SIZEOF_LONG_LONG__ 8', '__SIZEOF_POINTER__ 8',
  '__SIZEOF_SIZE_T__ 8', '__SIZEOF_PTRDIFF_T__ 8', '__SIZEOF_FLOAT__ 4', '__SIZEOF_DOUBLE__ 8', '__SIZEOF_INT128__ 16',
  '__SCHAR_MAX__ 127', '__SHRT_MAX__ 32767', '__INT_MAX__ 2147483647', '__LONG_MAX__ 9223372036854775807L',
  '__LONG_LONG_MAX__ 9223372036854775807LL',
  '__SIZE_TYPE__ long unsigned int', '__PTRDIFF_TYPE__ long int', '__INTPTR_TYPE__ long int', '__UINTPTR_TYPE__ long unsigned int',
  '__ORDER_LITTLE_ENDIAN__ 1234', '__ORDER_BIG_ENDIAN__ 4321', '__ORDER_PDP_ENDIAN__ 3412',
  '__BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__', '__LITTLE_ENDIAN__ 1',
  '__ATOMIC_RELAXED 0', '__ATOMIC_CONSUME 1', '__ATOMIC_ACQUIRE 2', '__ATOMIC_RELEASE 3', '__ATOMIC_ACQ_REL 4', '__ATOMIC_SEQ_CST 5',
  '__WCHAR_MAX__ 2147483647', '__INTMAX_MAX__ 9223372036854775807L', '__UINTMAX_MAX__ 18446744073709551615UL',
  '__SIZE_MAX__ 18446744073709551615UL', '__PTRDIFF_MAX__ 9223372036854775807L', '__INTPTR_MAX__ 9223372036854775807L',
  '__UINTPTR_MAX__ 18446744073709551615UL', '__INT8_MAX__ 127', '__INT16_MAX__ 32767', '__INT32_MAX__ 2147483647',
  '__INT64_MAX__ 9223372036854775807L', '__UINT8_MAX__ 255', '__UINT16_MAX__ 65535', '__UINT32_MAX__ 4294967295U',
  '__UINT64_MAX__ 18446744073709551615UL', '__INT8_TYPE__ signed char', '__INT16_TYPE__ short', '__INT32_TYPE__ int',
  '__INT64_TYPE__ long int', '__UINT8_TYPE__ unsigned char', '__UINT16_TYPE__ unsigned short', '__UINT32_TYPE__ unsigned int',
  '__UINT64_TYPE__ long unsigned int', '__INTMAX_TYPE__ long int', '__UINTMAX_TYPE__ long unsigned int',
  'KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))',
];

const MAX_INCLUDE_DEPTH = 200;
const MAX_INCLUDES = 20000;
const MAX_NESTING = 300;
const EXPANSION_BUDGET = 2_000_000;

const enum MK { Object, Function, Builtin }

/** Macros implemented in code. */
const enum BI {
  None, Line, File, Counter, BaseFile, FileName, IncludeLevel, Date, Time, Pragma,
  HasInclude, HasBuiltin, HasAttribute, HasNothing,
}

const BUILTINS: [string, BI][] = [
  ['__LINE__', BI.Line], ['__FILE__', BI.File], ['__COUNTER__', BI.Counter], ['__BASE_FILE__', BI.BaseFile],
  ['__FILE_NAME__', BI.FileName], ['__INCLUDE_LEVEL__', BI.IncludeLevel], ['__DATE__', BI.Date], ['__TIME__', BI.Time],
  ['_Pragma', BI.Pragma], ['__has_include', BI.HasInclude], ['__has_include_next', BI.HasInclude],
  ['__has_builtin', BI.HasBuiltin], ['__has_attribute', BI.HasAttribute], ['__has_feature', BI.HasNothing],
  ['__has_extension', BI.HasNothing], ['__has_c_attribute', BI.HasNothing], ['__has_cpp_attribute', BI.HasNothing],
  ['__has_declspec_attribute', BI.HasNothing],
];

/** What a macro body is made of, precompiled at #define. */
const enum IK { Tok, Param, Stringize, Paste, VaOpt }

interface Item {
  k: IK;
  tok: PPToken;
  /** Parameter index for Param and Stringize. */
  param: number;
  /** The replacement of __VA_OPT__(...). */
  inner: Item[] | null;
}

class Macro {
  constructor(
    readonly name: string,
    readonly kind: MK,
    readonly params: string[],
    readonly variadic: boolean,
    readonly body: PPToken[],
    /** Precompiled body; null for an object-like macro without ##, which is copied as is. */
    readonly items: Item[] | null,
    readonly builtin: BI,
    readonly loc: Loc | undefined,
  ) {}
}

/** One macro invocation being substituted. */
interface Invocation {
  m: Macro;
  inv: PPToken;
  args: PPToken[][];
  /** Fully macro-expanded arguments, computed on first use. */
  expanded: (PPToken[] | undefined)[];
  hs: HideSet;
  /** The variable arguments were left out altogether (for GNU comma elision). */
  vaAbsent: boolean;
  /** Placemarkers were made and must be removed. */
  markers: boolean;
}

interface Cond {
  directive: string;
  loc: Loc;
  /** Some group of this chain has been taken. */
  taken: boolean;
  sawElse: boolean;
  elseLoc?: Loc;
}

/** One file being read. */
class FileCtx {
  ahead: PPToken | null = null;
  readonly conds: Cond[] = [];
  /** #line: presumed line = physical line + lineDelta. */
  lineDelta = 0;
  presumedName: string;
  /** Include-guard detection: 0 nothing seen, 1 inside the #ifndef, 2 after its #endif, -1 not a guard. */
  guardState = 0;
  guardName = '';
  done = false;
  /** For built-in headers: their #defines, parsed once per process. */
  defines: DefineCache | null = null;
  constructor(
    readonly file: SourceFile,
    readonly lexer: Lexer,
    /** Identity for #pragma once and include guards. */
    readonly key: string,
    readonly dir: string,
    /** A built-in header: relative includes resolve among built-in headers. */
    readonly builtin: boolean,
    /** Index in includeDirs of the directory it was found in, or -1. */
    readonly dirIndex: number,
  ) {
    this.presumedName = file.name;
  }
}

/**
 * #defines of built-in headers, parsed once per process: by header text, the macro defined at
 * each offset (just after `define`) and where its line ends. The macros' locations point into a
 * canonical copy of the header (id -1), never into one compilation's sources.
 */
interface DefineCache {
  lexer: Lexer;
  defs: Map<number, { macro: Macro | null; end: number }>;
}
const defineCaches = new Map<string, DefineCache>();

function defineCache(name: string, text: string): DefineCache {
  let c = defineCaches.get(text);
  if (c === undefined) {
    c = { lexer: new Lexer(new SourceFile(-1, name, text), quietDiags(), { shared: true }), defs: new Map() };
    defineCaches.set(text, c);
  }
  return c;
}

interface Resolved {
  file: SourceFile;
  key: string;
  dir: string;
  builtin: boolean;
  /** Index in includeDirs of the directory it was found in, or -1 (for #include_next). */
  dirIndex: number;
}

// ---- hide sets: short immutable lists ----

/** The placemarker of C11 6.10.3.3: an empty operand of ##, gone after substitution. */
const PLACEMARKER = new PPToken(T.EOF, '', { file: new SourceFile(-1, '<placemarker>', ''), offset: 0, length: 0, expansion: undefined, macro: undefined }, false, false, null);

function hsHas(h: HideSet | null, name: string): boolean {
  for (; h !== null; h = h.next) if (h.name === name) return true;
  return false;
}

function hsUnion(a: HideSet | null, b: HideSet | null): HideSet | null {
  if (a === null || a === b) return b;
  if (b === null) return a;
  let r = b;
  for (let h: HideSet | null = a; h !== null; h = h.next) if (!hsHas(r, h.name)) r = { name: h.name, next: r };
  return r;
}

function hsIntersect(a: HideSet | null, b: HideSet | null): HideSet | null {
  if (a === null || b === null) return null;
  if (a === b) return a;
  let r: HideSet | null = null;
  for (let h: HideSet | null = a; h !== null; h = h.next) if (hsHas(b, h.name)) r = { name: h.name, next: r };
  return r;
}

function expLoc(l: Loc, inv: Loc, macro: string): Loc {
  return { file: l.file, offset: l.offset, length: l.length, expansion: inv, macro };
}

function isPunct(t: PPToken, text: string): boolean {
  return t.kind === T.Punct && t.text === text;
}

/** Escape for the inside of a string literal. */
function escapeString(s: string): string {
  return s.indexOf('\\') < 0 && s.indexOf('"') < 0 ? s : s.replace(/[\\"]/g, '\\$&');
}

/** Text of a string literal token without prefix and quotes, with \\ and \" undone (_Pragma, #line). */
function destringize(text: string): string {
  const q = text.indexOf('"');
  return text.slice(q + 1, text.endsWith('"') && text.length > q + 1 ? -1 : undefined).replace(/\\([\\"])/g, '$1');
}

/** Tokens joined as written, one space where there was white space. */
function spell(toks: readonly PPToken[]): string {
  let s = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (i > 0 && (t.space || t.bol)) s += ' ';
    s += t.text;
  }
  return s;
}

function defaultReadFile(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

const quietDiags = () => new Diagnostics(1 << 30);

/** Parse `NAME body` / `NAME(params) body` text as a #define would (predefined macros, -D, CONFIG_*). */
function macroFromText(file: SourceFile, diags: Diagnostics): Macro | null {
  const lx = new Lexer(file, diags);
  const toks: PPToken[] = [];
  for (let t = lx.next(); t.kind !== T.EOF; t = lx.next()) toks.push(t);
  return parseDefine(toks, diags, { file, offset: 0, length: 0, expansion: undefined, macro: undefined });
}

let predefinedCache: Map<string, Macro> | undefined;
function predefinedMacros(): Map<string, Macro> {
  if (!predefinedCache) {
    predefinedCache = new Map();
    const d = quietDiags();
    for (const line of PREDEFINED) {
      const m = macroFromText(new SourceFile(-1, '<built-in>', line), d);
      if (m) predefinedCache.set(m.name, m);
    }
  }
  return predefinedCache;
}

const builtinMacros = new Map<string, Macro>(BUILTINS.map(([name, bi]) => [name, new Macro(name, MK.Builtin, [], false, [], null, bi, undefined)]));

const versionMacros = new Map<number, Macro>();
const kconfigMacros = new WeakMap<Map<string, string>, Map<string, Macro | null>>();

/** Parse a #define line (the tokens after `define`); null after reporting an error. */
function parseDefine(toks: PPToken[], diags: Diagnostics, where: Loc): Macro | null {
  const nameTok = toks[0];
  if (nameTok === undefined) { diags.error('pp-macro-name', 'macro name missing', where); return null; }
  if (nameTok.kind !== T.Ident) { diags.error('pp-macro-name', 'macro names must be identifiers', nameTok.loc); return null; }
  if (nameTok.text === 'defined') { diags.error('pp-macro-name', '"defined" cannot be used as a macro name', nameTok.loc); return null; }
  const name = nameTok.text;
  let i = 1;
  const params: string[] = [];
  let variadic = false;
  let fn = false;
  const lp = toks[1];
  if (lp !== undefined && isPunct(lp, '(') && !lp.space) {
    fn = true;
    i = 2;
    if (toks[i] !== undefined && isPunct(toks[i]!, ')')) {
      i++;
    } else {
      for (;;) {
        const t = toks[i];
        if (t === undefined) { diags.error('pp-macro-params', "missing ')' in macro parameter list", toks[i - 1]!.loc); return null; }
        if (isPunct(t, '...')) {
          params.push('__VA_ARGS__');
          variadic = true;
          i++;
        } else if (t.kind === T.Ident) {
          if (t.text === '__VA_ARGS__') { diags.error('pp-macro-params', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t.loc); return null; }
          if (params.includes(t.text)) { diags.error('pp-macro-params', `duplicate macro parameter "${t.text}"`, t.loc); return null; }
          params.push(t.text);
          i++;
          if (toks[i] !== undefined && isPunct(toks[i]!, '...')) { variadic = true; i++; }
        } else {
          diags.error('pp-macro-params', `expected parameter name, found "${t.text}"`, t.loc);
          return null;
        }
        const sep = toks[i];
        if (sep !== undefined && isPunct(sep, ')')) { i++; break; }
        if (sep === undefined || !isPunct(sep, ',') || variadic) {
          diags.error('pp-macro-params', variadic ? "expected ')' after \"...\"" : "expected ',' or ')' in macro parameter list", (sep ?? t).loc);
          return null;
        }
        i++;
      }
    }
  }
  const body = toks.slice(i);
  if (body.length) body[0]!.space = false;
  const items = compileBody(body, fn ? params : null, variadic, diags);
  if (items === undefined) return null;
  const needItems = fn || items.some((it) => it.k === IK.Paste);
  return new Macro(name, fn ? MK.Function : MK.Object, params, variadic, body, needItems ? items : null, BI.None, nameTok.loc);
}

/** Precompile a body; undefined after reporting an error. */
function compileBody(body: PPToken[], params: string[] | null, variadic: boolean, diags: Diagnostics, inVaOpt = false): Item[] | undefined {
  const items: Item[] = [];
  const n = body.length;
  for (let j = 0; j < n; j++) {
    const t = body[j]!;
    if (t.kind === T.Punct && t.text === '##') {
      if (j === 0 || j === n - 1) {
        diags.error('pp-paste-edge', "'##' cannot appear at either end of a macro expansion", t.loc);
        return undefined;
      }
      // `a ## ## b` pastes once, as GCC does.
      if (items.length && items[items.length - 1]!.k !== IK.Paste) items.push({ k: IK.Paste, tok: t, param: -1, inner: null });
      continue;
    }
    if (params !== null && t.kind === T.Punct && t.text === '#') {
      const nx = body[j + 1];
      if (variadic && !inVaOpt && nx !== undefined && nx.kind === T.Ident && nx.text === '__VA_OPT__') {
        // #__VA_OPT__(...): compile the __VA_OPT__ and stringize its result.
        const rest = compileBody(body.slice(j + 1), params, variadic, diags, inVaOpt);
        if (rest === undefined) return undefined;
        const vo = rest[0]!;
        items.push({ k: IK.Stringize, tok: t, param: -1, inner: vo.inner });
        for (let r = 1; r < rest.length; r++) items.push(rest[r]!);
        return items;
      }
      const p = nx !== undefined && nx.kind === T.Ident ? params.indexOf(nx.text) : -1;
      if (p < 0) {
        diags.error('pp-stringize', "'#' is not followed by a macro parameter", t.loc);
        return undefined;
      }
      items.push({ k: IK.Stringize, tok: t, param: p, inner: null });
      j++;
      continue;
    }
    if (t.kind === T.Ident) {
      if (params !== null) {
        const p = params.indexOf(t.text);
        if (p >= 0) { items.push({ k: IK.Param, tok: t, param: p, inner: null }); continue; }
        if (t.text === '__VA_OPT__' && variadic) {
          if (inVaOpt) { diags.error('pp-va-opt', '__VA_OPT__ may not appear in a __VA_OPT__', t.loc); return undefined; }
          const lp = body[j + 1];
          if (lp === undefined || !isPunct(lp, '(')) { diags.error('pp-va-opt', "__VA_OPT__ must be followed by '('", t.loc); return undefined; }
          let depth = 0;
          let k = j + 1;
          for (; k < n; k++) {
            const x = body[k]!;
            if (isPunct(x, '(')) depth++;
            else if (isPunct(x, ')') && --depth === 0) break;
          }
          if (k >= n) { diags.error('pp-va-opt', "unterminated __VA_OPT__: missing ')'", t.loc); return undefined; }
          const inner = compileBody(body.slice(j + 2, k), params, variadic, diags, true);
          if (inner === undefined) return undefined;
          items.push({ k: IK.VaOpt, tok: t, param: -1, inner });
          j = k;
          continue;
        }
      }
      if (t.text === '__VA_ARGS__' && !variadic) {
        diags.warning('pp-va-args', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t.loc);
      }
    }
    items.push({ k: IK.Tok, tok: t, param: -1, inner: null });
  }
  return items;
}

function sameDefinition(a: Macro, b: Macro): boolean {
  if (a.kind !== b.kind || a.variadic !== b.variadic || a.params.length !== b.params.length || a.body.length !== b.body.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  for (let i = 0; i < a.body.length; i++) {
    const x = a.body[i]!, y = b.body[i]!;
    if (x.text !== y.text || x.kind !== y.kind || (i > 0 && x.space !== y.space)) return false;
  }
  return true;
}

class Preprocessor {
  private readonly macros = new Map<string, Macro | null>();
  private pending: PPToken[] = [];
  private listMode = false;
  private nesting = 0;
  private tooDeep = false;
  private readonly files: FileCtx[] = [];
  private cur: FileCtx;
  private readonly listEnd: PPToken;
  private inIf = false;
  private counter = 0;
  private includes = 0;
  private budget = EXPANSION_BUDGET;
  private pragmaOut: PPToken | null = null;
  private readonly once = new Set<string>();
  private readonly guards = new Map<string, string>();
  private readonly fileCache = new Map<string, Resolved | null>();
  private readonly pushed = new Map<string, (Macro | null)[]>();
  private readonly readFile: (p: string) => string | undefined;
  private readonly includeDirs: string[];
  private readonly predefined: boolean;
  private kconfig: Map<string, string> | undefined;
  private date: string | undefined;

  constructor(private readonly sources: SourceSet, readonly main: SourceFile, private readonly diags: Diagnostics, private readonly opts: PreprocessOptions) {
    this.readFile = opts.readFile ?? defaultReadFile;
    this.includeDirs = opts.includeDirs ?? [];
    this.predefined = opts.predefined ?? true;
    this.kconfig = opts.kernelConfig;
    this.cur = new FileCtx(main, new Lexer(main, diags), 'file:' + main.name, path.dirname(main.name), false, -1);
    this.files.push(this.cur);
    this.listEnd = new PPToken(T.EOF, '', { file: main, offset: 0, length: 0, expansion: undefined, macro: undefined }, false, true, null);
    if (this.predefined) {
      const code = opts.linuxVersionCode ?? runningKernelVersionCode();
      let m = versionMacros.get(code);
      if (!m) {
        m = macroFromText(new SourceFile(-1, '<built-in>', `LINUX_VERSION_CODE ${code}`), quietDiags())!;
        versionMacros.set(code, m);
      }
      this.macros.set('LINUX_VERSION_CODE', m);
    }
    const defs = opts.defines ? Object.entries(opts.defines) : [];
    if (defs.length) {
      // One source file of #define lines, so -D errors have a location.
      const lines = defs.map(([k, v]) => `${k} ${v ?? '1'}`);
      const file = sources.add('<command line>', lines.join('\n') + '\n');
      const lx = new Lexer(file, diags);
      let t = lx.next();
      while (t.kind !== T.EOF) {
        const line: PPToken[] = [];
        do { line.push(t); t = lx.next(); } while (!t.bol);
        const m = parseDefine(line, diags, line[0]!.loc);
        if (m) this.macros.set(m.name, m);
      }
    }
    for (const u of opts.undefines ?? []) this.macros.set(u, null);
    // Forced includes sit above the main file on the stack: read first, then popped back to it.
    for (const name of [...(opts.includes ?? [])].reverse()) {
      const r = this.builtinFile(name) ?? this.searchDirs(name, 0);
      if (r === null) { diags.error('pp-include-not-found', `'${name}' file not found (included before the program)`); continue; }
      this.cur = new FileCtx(r.file, new Lexer(r.file, diags, { shared: r.builtin }), r.key, r.dir, r.builtin, r.dirIndex);
      if (r.builtin) this.cur.defines = defineCache(r.file.name, r.file.text);
      this.files.push(this.cur);
    }
  }

  run(): Token[] {
    const out: PPToken[] = [];
    try {
      for (;;) {
        const t = this.pending.length ? this.pending.pop()! : this.nextFromFiles();
        if (t.kind === T.Ident) {
          if (this.tryExpand(t)) continue;
        } else if (t.kind === T.EOF) {
          break;
        } else if (t.kind === T.Punct) {
          const c = t.text.charCodeAt(0);
          if (c === 35 || isStrayChar(c)) {
            const shown = c < 32 || c === 127 ? `\\${c.toString(8).padStart(3, '0')}` : t.text;
            this.diags.error('pp-stray', `stray '${shown}' in program`, t.loc);
            continue;
          }
        }
        out.push(t);
      }
    } catch (e) {
      if (!(e instanceof TooManyErrors)) {
        try {
          this.diags.error('pp-internal', `internal preprocessor error: ${e instanceof Error ? e.message : String(e)}`, this.cur.lexer.loc(this.cur.lexer.pos, this.cur.lexer.pos));
        } catch { /* too many errors already */ }
      }
    }
    const end = this.main.text.length;
    out.push(new PPToken(T.EOF, '', { file: this.main, offset: end, length: 0, expansion: undefined, macro: undefined }, false, true, null));
    return out;
  }

  // ---- reading tokens ----

  /** Next token from the files, popping finished includes; EOF only at the end of the main file. */
  private nextFromFiles(): PPToken {
    for (;;) {
      const t = this.fileToken();
      if (t.kind !== T.EOF || this.files.length === 1) return t;
      this.files.pop();
      this.cur = this.files[this.files.length - 1]!;
    }
  }

  /** Next token of the current file, directives handled; EOF at its end (the file is not popped). */
  private fileToken(): PPToken {
    for (;;) {
      const ctx = this.cur;
      let t = ctx.ahead;
      if (t !== null) ctx.ahead = null; else t = ctx.lexer.next();
      if (t.bol && t.kind === T.Punct && t.text === '#') {
        const r = this.directive(ctx);
        if (r !== null) return r;
        continue;
      }
      if (t.kind === T.EOF) { this.endOfFile(ctx); return t; }
      if (ctx.guardState !== 1) ctx.guardState = -1;
      return t;
    }
  }

  /** The next token for a macro's argument list: never crosses the end of a file or of a list. */
  private argToken(): PPToken {
    if (this.pending.length) return this.pending.pop()!;
    if (this.listMode) return this.listEnd;
    return this.fileToken();
  }

  private endOfFile(ctx: FileCtx): void {
    if (ctx.done) return;
    ctx.done = true;
    for (const c of ctx.conds) this.diags.error('pp-unterminated-if', `unterminated #${c.directive}`, c.loc);
    ctx.conds.length = 0;
    if (ctx.guardState === 2) this.guards.set(ctx.key, ctx.guardName);
  }

  /** Macro-expand a list of tokens on its own (arguments, #if and #include lines). */
  private expandList(toks: PPToken[]): PPToken[] {
    if (this.nesting >= MAX_NESTING) {
      if (!this.tooDeep) this.diags.error('pp-too-deep', 'macro invocations nested too deeply', toks[0]?.loc);
      this.tooDeep = true;
      return toks;
    }
    const saved = this.pending, savedList = this.listMode;
    const p: PPToken[] = [];
    for (let i = toks.length - 1; i >= 0; i--) p.push(toks[i]!);
    this.pending = p;
    this.listMode = true;
    this.nesting++;
    const out: PPToken[] = [];
    try {
      while (this.pending.length) {
        const t = this.pending.pop()!;
        if (t.kind === T.Ident && this.tryExpand(t)) continue;
        out.push(t);
      }
    } finally {
      this.pending = saved;
      this.listMode = savedList;
      this.nesting--;
    }
    return out;
  }

  // ---- macro lookup ----

  private lookup(name: string): Macro | null {
    let m = this.macros.get(name);
    if (m === undefined) {
      m = this.lazyMacro(name);
      this.macros.set(name, m);
    }
    return m;
  }

  /** Macros defined on first use: builtins, predefined, CONFIG_*. */
  private lazyMacro(name: string): Macro | null {
    const b = builtinMacros.get(name);
    if (b !== undefined) return b;
    if (!this.predefined) return null;
    const p = predefinedMacros().get(name);
    if (p !== undefined) return p;
    if (name.startsWith('CONFIG_')) {
      const cfg = (this.kconfig ??= readKernelConfig());
      const v = cfg.get(name);
      if (v === undefined) return null;
      let cache = kconfigMacros.get(cfg);
      if (!cache) kconfigMacros.set(cfg, (cache = new Map()));
      let m = cache.get(name);
      if (m === undefined) {
        m = macroFromText(new SourceFile(-1, '<kernel config>', `${name} ${v}`), quietDiags());
        cache.set(name, m);
      }
      return m;
    }
    return null;
  }

  private isDefined(name: string): boolean {
    return this.lookup(name) !== null;
  }

  private define(m: Macro): void {
    let old = this.macros.get(m.name);
    if (old === undefined) old = this.lazyMacro(m.name);
    if (old !== null) {
      if (old.kind === MK.Builtin) {
        this.diags.warning('pp-macro-redefined', `redefining builtin macro '${m.name}'`, m.loc);
      } else if (!sameDefinition(old, m)) {
        const notes = old.loc ? [{ loc: old.loc, message: 'previous definition is here' }] : [];
        this.diags.warning('pp-macro-redefined', `'${m.name}' macro redefined`, m.loc, ...notes);
      }
    }
    this.macros.set(m.name, m);
  }

  // ---- expansion ----

  /** Expand t if it names a macro: the result goes onto the pending stack. */
  private tryExpand(t: PPToken): boolean {
    const name = t.text;
    if (t.hide !== null && hsHas(t.hide, name)) return false;
    if (this.inIf && name === 'defined') { this.evalDefined(t); return true; }
    const m = this.lookup(name);
    if (m === null || this.budget < 0) return false;
    switch (m.kind) {
      case MK.Object: return this.expandObject(m, t);
      case MK.Function: return this.expandFunction(m, t);
      default: return this.expandBuiltin(m, t);
    }
  }

  private pushReversed(toks: PPToken[]): void {
    const p = this.pending;
    for (let i = toks.length - 1; i >= 0; i--) p.push(toks[i]!);
  }

  private spend(n: number, at: PPToken): void {
    this.budget -= n;
    if (this.budget < 0) this.diags.error('pp-expansion-limit', 'macro expansion produces too many tokens; stopping macro expansion', at.loc);
  }

  private expandObject(m: Macro, t: PPToken): boolean {
    const hs: HideSet = { name: m.name, next: t.hide };
    if (m.items !== null) {
      this.pushReversed(this.subst(m, t, [], hs));
      return true;
    }
    const body = m.body, p = this.pending;
    this.spend(body.length, t);
    for (let i = body.length - 1; i >= 0; i--) {
      const b = body[i]!;
      p.push(new PPToken(b.kind, b.text, expLoc(b.loc, t.loc, m.name), i === 0 ? t.space : b.space, i === 0 && t.bol, hs));
    }
    return true;
  }

  private expandFunction(m: Macro, t: PPToken): boolean {
    // Only a following '(' makes this an invocation; look without expanding.
    if (this.pending.length) {
      if (!isPunct(this.pending[this.pending.length - 1]!, '(')) return false;
      this.pending.pop();
    } else {
      if (this.listMode) return false;
      const p = this.fileToken();
      if (p.kind === T.EOF) return false;
      if (!isPunct(p, '(')) { this.pending.push(p); return false; }
    }
    const np = m.params.length;
    const args: PPToken[][] = [];
    let arg: PPToken[] = [];
    let depth = 0;
    let rparen: PPToken;
    for (;;) {
      const a = this.argToken();
      if (a.kind === T.EOF) {
        this.diags.error('pp-unterminated-args', `unterminated argument list invoking macro '${m.name}'`, t.loc);
        return true;
      }
      if (a.kind === T.Punct) {
        const x = a.text;
        if (x === '(') depth++;
        else if (x === ')') { if (depth === 0) { rparen = a; break; } depth--; }
        else if (x === ',' && depth === 0 && !(m.variadic && args.length === np - 1)) { args.push(arg); arg = []; continue; }
      }
      arg.push(a);
    }
    args.push(arg);
    if (np === 0 && args.length === 1 && args[0]!.length === 0) args.length = 0;
    // GNU: with the variable arguments left out (or an empty sole `...` argument), `, ## __VA_ARGS__`
    // loses its comma.
    let vaAbsent = m.variadic && np === 1 && args.length === 1 && args[0]!.length === 0;
    if (args.length === np - 1 && m.variadic) { args.push([]); vaAbsent = true; }
    if (args.length !== np) {
      this.diags.error('pp-macro-args', args.length < np
        ? `macro '${m.name}' requires ${np} argument${np === 1 ? '' : 's'}, but only ${args.length} given`
        : `macro '${m.name}' passed ${args.length} arguments, but takes just ${np}`, t.loc,
      ...(m.loc ? [{ loc: m.loc, message: 'macro defined here' }] : []));
      return true;
    }
    const hs: HideSet = { name: m.name, next: hsIntersect(t.hide, rparen.hide) };
    this.pushReversed(this.subst(m, t, args, hs, vaAbsent));
    return true;
  }

  /** The replacement of one invocation, with arguments substituted, # and ## applied. */
  private subst(m: Macro, inv: PPToken, args: PPToken[][], hs: HideSet, vaAbsent = false): PPToken[] {
    const c: Invocation = { m, inv, args, expanded: new Array(args.length), hs, vaAbsent, markers: false };
    let out: PPToken[] = [];
    this.substItems(m.items!, c, out);
    if (c.markers) out = out.filter((t) => t !== PLACEMARKER);
    if (out.length) {
      out[0]!.space = inv.space;
      out[0]!.bol = inv.bol;
    }
    this.spend(out.length, inv);
    return out;
  }

  private expandedArg(c: Invocation, p: number): PPToken[] {
    let e = c.expanded[p];
    if (e === undefined) {
      const a = c.args[p]!;
      let ids = false;
      for (const t of a) if (t.kind === T.Ident) { ids = true; break; }
      e = c.expanded[p] = ids ? this.expandList(a) : a;
    }
    return e;
  }

  /**
   * Substitute a body (or a __VA_OPT__ content) into out. An empty operand of ## becomes a
   * placemarker token (C11 6.10.3.3p2), removed when the whole replacement is done.
   */
  private substItems(items: Item[], c: Invocation, out: PPToken[]): void {
    const m = c.m;
    const vaIndex = m.variadic ? m.params.length - 1 : -1;
    for (let k = 0; k < items.length; k++) {
      const it = items[k]!;
      if (it.k === IK.Paste) {
        const r = items[++k]!;
        const prev = items[k - 2];
        // GNU: `, ## __VA_ARGS__` drops the comma when the variable arguments are left out;
        // otherwise ## does nothing there.
        if (r.k === IK.Param && r.param === vaIndex && prev !== undefined && prev.k === IK.Tok && isPunct(prev.tok, ',')
          && out.length && out[out.length - 1] !== PLACEMARKER) {
          if (c.vaAbsent) out.pop();
          else this.pushArg(out, c.args[vaIndex]!, r.tok.space, c.hs);
          continue;
        }
        const before = out.length;
        this.operand(r, true, c, out);
        if (out.length === before) { out.push(PLACEMARKER); c.markers = true; }
        const lhs = out[before - 1];
        const rhs = out[before]!;
        if (lhs === undefined) continue;
        if (lhs === PLACEMARKER) { out.splice(before - 1, 1); continue; }
        if (rhs === PLACEMARKER) { out.splice(before, 1); continue; }
        const text = lhs.text + rhs.text;
        const kind = singleTokenKind(text);
        if (kind === -1) {
          this.diags.error('pp-invalid-paste', `pasting "${lhs.text}" and "${rhs.text}" does not give a valid preprocessing token`, lhs.loc);
          continue;
        }
        out.splice(before - 1, 2, new PPToken(kind, text, lhs.loc, lhs.space, false, c.hs));
        continue;
      }
      const nextPaste = k + 1 < items.length && items[k + 1]!.k === IK.Paste;
      const before = out.length;
      this.operand(it, nextPaste, c, out);
      if (nextPaste && out.length === before) { out.push(PLACEMARKER); c.markers = true; }
    }
  }

  private operand(it: Item, raw: boolean, c: Invocation, out: PPToken[]): void {
    switch (it.k) {
      case IK.Tok: {
        const b = it.tok;
        out.push(new PPToken(b.kind, b.text, expLoc(b.loc, c.inv.loc, c.m.name), b.space, false, c.hs));
        return;
      }
      case IK.Param:
        this.pushArg(out, raw ? c.args[it.param]! : this.expandedArg(c, it.param), it.tok.space, c.hs);
        return;
      case IK.Stringize: {
        let s: string;
        if (it.inner !== null) {
          // #__VA_OPT__(...) (C23): the spelling of the __VA_OPT__ replacement.
          const inner: PPToken[] = [];
          if (this.expandedArg(c, c.m.params.length - 1).length) this.substItems(it.inner, c, inner);
          s = this.stringize(inner.filter((t) => t !== PLACEMARKER));
        } else {
          s = this.stringize(c.args[it.param]!);
        }
        out.push(new PPToken(T.String, '"' + s + '"', expLoc(it.tok.loc, c.inv.loc, c.m.name), it.tok.space, false, c.hs));
        return;
      }
      case IK.VaOpt: {
        if (this.expandedArg(c, c.m.params.length - 1).length === 0) return;
        const before = out.length;
        this.substItems(it.inner!, c, out);
        if (out.length > before && out[before] !== PLACEMARKER) out[before]!.space = it.tok.space;
        return;
      }
      default:
        return;
    }
  }

  private pushArg(out: PPToken[], src: PPToken[], space: boolean, hs: HideSet): void {
    for (let i = 0; i < src.length; i++) {
      const a = src[i]!;
      out.push(new PPToken(a.kind, a.text, a.loc, i === 0 ? space : a.space, false, hsUnion(a.hide, hs)));
    }
  }

  /** The spelling of an argument for #: white space collapsed, literals escaped (by the caller). */
  private stringize(arg: PPToken[]): string {
    let s = '';
    for (let i = 0; i < arg.length; i++) {
      const t = arg[i]!;
      if (i > 0 && (t.space || t.bol)) s += ' ';
      s += t.kind === T.String || t.kind === T.Char ? escapeString(t.text) : t.text;
    }
    return s;
  }

  private number(n: number | string, at: PPToken): PPToken {
    return new PPToken(T.Number, String(n), at.loc, at.space, at.bol, null);
  }

  /** `defined X` / `defined(X)` in #if. */
  private evalDefined(t: PPToken): void {
    let n = this.argToken();
    const paren = isPunct(n, '(');
    if (paren) n = this.argToken();
    let v = false;
    if (n.kind !== T.Ident) {
      this.diags.error('pp-defined', 'operator "defined" requires an identifier', n.kind === T.EOF ? t.loc : n.loc);
      if (n.kind !== T.EOF) this.pending.push(n);
    } else {
      v = this.isDefined(n.text);
      if (paren) {
        const c = this.argToken();
        if (!isPunct(c, ')')) {
          this.diags.error('pp-defined', 'missing \')\' after "defined"', c.kind === T.EOF ? n.loc : c.loc);
          if (c.kind !== T.EOF) this.pending.push(c);
        }
      }
    }
    this.pending.push(this.number(v ? 1 : 0, t));
  }

  /** Read `( tokens )` after a builtin like __has_include; null (reported) if malformed. */
  private builtinArgs(t: PPToken): PPToken[] | null {
    const lp = this.argToken();
    if (!isPunct(lp, '(')) {
      this.diags.error('pp-builtin-args', `missing '(' after '${t.text}'`, lp.kind === T.EOF ? t.loc : lp.loc);
      if (lp.kind !== T.EOF) this.pending.push(lp);
      return null;
    }
    const toks: PPToken[] = [];
    let depth = 0;
    for (;;) {
      const a = this.argToken();
      if (a.kind === T.EOF) { this.diags.error('pp-builtin-args', `missing ')' after '${t.text}'`, t.loc); return null; }
      if (isPunct(a, '(')) depth++;
      else if (isPunct(a, ')') && depth-- === 0) return toks;
      toks.push(a);
    }
  }

  private expandBuiltin(m: Macro, t: PPToken): boolean {
    switch (m.builtin) {
      case BI.Line: {
        let root = t.loc;
        while (root.expansion) root = root.expansion;
        let line = root.file.position(root.offset).line;
        if (root.file === this.cur.file) line += this.cur.lineDelta;
        this.pending.push(this.number(line, t));
        return true;
      }
      case BI.File:
      case BI.BaseFile:
      case BI.FileName: {
        const name = m.builtin === BI.File ? this.cur.presumedName : m.builtin === BI.BaseFile ? this.main.name : path.basename(this.cur.presumedName);
        this.pending.push(new PPToken(T.String, '"' + escapeString(name) + '"', t.loc, t.space, t.bol, null));
        return true;
      }
      case BI.Counter: this.pending.push(this.number(this.counter++, t)); return true;
      case BI.IncludeLevel: this.pending.push(this.number(this.files.length - 1, t)); return true;
      case BI.Date:
      case BI.Time: {
        if (this.date === undefined) {
          const d = new Date();
          const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
          this.date = `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.getFullYear()}|${d.toTimeString().slice(0, 8)}`;
        }
        const [date, time] = this.date.split('|');
        this.pending.push(new PPToken(T.String, `"${m.builtin === BI.Date ? date : time}"`, t.loc, t.space, t.bol, null));
        return true;
      }
      case BI.Pragma: {
        const a = this.builtinArgs(t);
        if (a === null) return true;
        if (a.length !== 1 || a[0]!.kind !== T.String) {
          this.diags.error('pp-pragma', '_Pragma takes a parenthesized string literal', a[0]?.loc ?? t.loc);
          return true;
        }
        const file = new SourceFile(-1, '<_Pragma>', destringize(a[0]!.text));
        const lx = new Lexer(file, this.diags, { quiet: true });
        const toks: PPToken[] = [];
        for (let x = lx.next(); x.kind !== T.EOF; x = lx.next()) toks.push(x);
        const p = this.pragma(toks, t.loc);
        if (p !== null) { p.space = t.space; this.pending.push(p); }
        return true;
      }
      case BI.HasInclude: {
        const a = this.builtinArgs(t);
        if (a === null) { this.pending.push(this.number(0, t)); return true; }
        const e = a.length && (a[0]!.kind === T.String || isPunct(a[0]!, '<')) ? a : this.expandList(a);
        const h = this.headerFromTokens(e, t);
        const next = t.text === '__has_include_next';
        this.pending.push(this.number(h !== null && this.resolve(this.cur, h.name, h.angled, next) !== null ? 1 : 0, t));
        return true;
      }
      case BI.HasBuiltin:
      case BI.HasAttribute:
      case BI.HasNothing: {
        const a = this.builtinArgs(t);
        let v = false;
        if (a !== null) {
          if (a.length === 0 || a[0]!.kind !== T.Ident) {
            this.diags.error('pp-builtin-args', `'${t.text}' requires an identifier`, a[0]?.loc ?? t.loc);
          } else if (m.builtin === BI.HasBuiltin) {
            v = SUPPORTED_BUILTINS.has(a[0]!.text);
          } else if (m.builtin === BI.HasAttribute) {
            let n = a[0]!.text;
            if (n.length > 4 && n.startsWith('__') && n.endsWith('__')) n = n.slice(2, -2);
            v = SUPPORTED_ATTRIBUTES.has(n);
          }
        }
        this.pending.push(this.number(v ? 1 : 0, t));
        return true;
      }
      default:
        return false;
    }
  }

  // ---- directives ----

  /** Tokens left on the directive line. */
  private lineTok(ctx: FileCtx): PPToken | null {
    let t = ctx.ahead;
    if (t !== null) return null;
    t = ctx.lexer.next();
    if (t.bol) { ctx.ahead = t; return null; }
    return t;
  }

  private lineRest(ctx: FileCtx): PPToken[] {
    const toks: PPToken[] = [];
    for (let t = this.lineTok(ctx); t !== null; t = this.lineTok(ctx)) toks.push(t);
    return toks;
  }

  private skipRest(ctx: FileCtx): void {
    if (ctx.ahead === null && !ctx.lexer.atLineStart) ctx.lexer.skipLine();
  }

  private noExtra(ctx: FileCtx, directive: string): void {
    const t = this.lineTok(ctx);
    if (t !== null) {
      this.diags.warning('pp-extra-tokens', `extra tokens at end of #${directive} directive`, t.loc);
      this.skipRest(ctx);
    }
  }

  /** Handle the directive whose `#` was just read; returns a Pragma token to emit, if any. */
  private directive(ctx: FileCtx): PPToken | null {
    let name = this.lineTok(ctx);
    if (name === null) return null; // the null directive
    if (ctx.guardState === 0) { if (name.text !== 'ifndef' || ctx.conds.length) ctx.guardState = -1; }
    else if (ctx.guardState === 2) ctx.guardState = -1;
    while (name !== null) name = this.dispatch(ctx, name);
    const p = this.pragmaOut;
    this.pragmaOut = null;
    return p;
  }

  /** Run one directive; returns the name of the next one when a skipped group ended at one. */
  private dispatch(ctx: FileCtx, name: PPToken): PPToken | null {
    if (name.kind === T.Number) { this.lineDirective(ctx, name, true); return null; }
    if (name.kind !== T.Ident) {
      this.diags.error('pp-unknown-directive', `invalid preprocessing directive`, name.loc);
      this.skipRest(ctx);
      return null;
    }
    switch (name.text) {
      case 'define': {
        if (ctx.defines !== null && ctx.ahead === null) {
          const at = ctx.lexer.pos;
          let d = ctx.defines.defs.get(at);
          if (d === undefined) {
            const lx = ctx.defines.lexer;
            lx.seekInLine(at);
            const line: PPToken[] = [];
            while (!lx.atLineEnd()) line.push(lx.next());
            lx.skipLine();
            d = { macro: parseDefine(line, this.diags, name.loc), end: lx.pos };
            ctx.defines.defs.set(at, d);
          }
          ctx.lexer.seekLineStart(d.end);
          if (d.macro) this.define(d.macro);
          return null;
        }
        const toks = this.lineRest(ctx);
        const m = parseDefine(toks, this.diags, name.loc);
        if (m) this.define(m);
        return null;
      }
      case 'undef': {
        const id = this.lineTok(ctx);
        if (id === null || id.kind !== T.Ident) {
          this.diags.error('pp-macro-name', id === null ? 'macro name missing' : 'macro names must be identifiers', id?.loc ?? name.loc);
          this.skipRest(ctx);
          return null;
        }
        if (id.text === 'defined') this.diags.error('pp-macro-name', '"defined" cannot be used as a macro name', id.loc);
        else this.macros.set(id.text, null);
        this.noExtra(ctx, 'undef');
        return null;
      }
      case 'include': case 'include_next': case 'import':
        this.includeDirective(ctx, name);
        return null;
      case 'if': {
        const v = this.condition(ctx, name);
        ctx.conds.push({ directive: 'if', loc: name.loc, taken: v, sawElse: false });
        return v ? null : this.skipGroup(ctx);
      }
      case 'ifdef': case 'ifndef': {
        const id = this.lineTok(ctx);
        let v = false;
        if (id === null || id.kind !== T.Ident) {
          this.diags.error('pp-macro-name', id === null ? 'macro name missing' : 'macro names must be identifiers', id?.loc ?? name.loc);
          this.skipRest(ctx);
        } else {
          v = this.isDefined(id.text) === (name.text === 'ifdef');
          this.noExtra(ctx, name.text);
          if (name.text === 'ifndef' && ctx.guardState === 0 && ctx.conds.length === 0) { ctx.guardState = 1; ctx.guardName = id.text; }
        }
        ctx.conds.push({ directive: name.text, loc: name.loc, taken: v, sawElse: false });
        return v ? null : this.skipGroup(ctx);
      }
      case 'elif': case 'elifdef': case 'elifndef': {
        const c = ctx.conds[ctx.conds.length - 1];
        if (c === undefined) {
          this.diags.error('pp-unmatched', `#${name.text} without #if`, name.loc);
          this.skipRest(ctx);
          return null;
        }
        if (ctx.guardState === 1 && ctx.conds.length === 1) ctx.guardState = -1;
        if (c.sawElse) this.diags.error('pp-elif-after-else', `#${name.text} after #else`, name.loc, { loc: c.elseLoc, message: '#else was here' });
        if (c.taken) return this.skipGroup(ctx);
        let v: boolean;
        if (name.text === 'elif') {
          v = this.condition(ctx, name);
        } else {
          const id = this.lineTok(ctx);
          v = false;
          if (id === null || id.kind !== T.Ident) {
            this.diags.error('pp-macro-name', 'macro names must be identifiers', id?.loc ?? name.loc);
            this.skipRest(ctx);
          } else {
            v = this.isDefined(id.text) === (name.text === 'elifdef');
            this.noExtra(ctx, name.text);
          }
        }
        if (!v) return this.skipGroup(ctx);
        c.taken = true;
        return null;
      }
      case 'else': {
        const c = ctx.conds[ctx.conds.length - 1];
        if (c === undefined) {
          this.diags.error('pp-unmatched', '#else without #if', name.loc);
          this.skipRest(ctx);
          return null;
        }
        if (ctx.guardState === 1 && ctx.conds.length === 1) ctx.guardState = -1;
        if (c.sawElse) this.diags.error('pp-else-after-else', '#else after #else', name.loc, { loc: c.elseLoc, message: 'previous #else was here' });
        c.sawElse = true;
        c.elseLoc = name.loc;
        this.noExtra(ctx, 'else');
        if (c.taken) return this.skipGroup(ctx);
        c.taken = true;
        return null;
      }
      case 'endif': {
        if (ctx.conds.pop() === undefined) {
          this.diags.error('pp-unmatched', '#endif without #if', name.loc);
          this.skipRest(ctx);
          return null;
        }
        this.noExtra(ctx, 'endif');
        if (ctx.guardState === 1 && ctx.conds.length === 0) ctx.guardState = 2;
        return null;
      }
      case 'line':
        this.lineDirective(ctx, name, false);
        return null;
      case 'error': case 'warning': {
        ctx.lexer.quiet = true;
        const text = spell(this.lineRest(ctx));
        ctx.lexer.quiet = false;
        if (name.text === 'error') this.diags.error('pp-error', text || '#error', name.loc);
        else this.diags.warning('pp-warning', text || '#warning', name.loc);
        return null;
      }
      case 'pragma':
        this.pragmaOut = this.pragma(this.lineRest(ctx), name.loc);
        return null;
      case 'ident': case 'sccs': case 'assert': case 'unassert':
        this.skipRest(ctx);
        return null;
      default:
        this.diags.error('pp-unknown-directive', `invalid preprocessing directive #${name.text}`, name.loc);
        this.skipRest(ctx);
        return null;
    }
  }

  /**
   * Skip a group a conditional left out, up to the #elif/#else/#endif that ends it; returns that
   * directive's name token (the line is not consumed further), or null at the end of the file.
   */
  private skipGroup(ctx: FileCtx): PPToken | null {
    const lx = ctx.lexer;
    let t = ctx.ahead;
    ctx.ahead = null;
    if (t === null && !lx.atLineStart) lx.skipLine();
    let depth = 0;
    lx.quiet = true;
    try {
      for (;;) {
        if (t === null) {
          if (!lx.skipToDirective()) return null;
          t = lx.next();
        }
        if (t.kind === T.EOF) { ctx.ahead = t; return null; }
        if (t.kind !== T.Punct || t.text !== '#') { lx.skipLine(); t = null; continue; }
        const nm = this.lineTok(ctx);
        if (nm === null) { t = ctx.ahead; ctx.ahead = null; continue; }
        if (nm.kind === T.Ident) {
          switch (nm.text) {
            case 'if': case 'ifdef': case 'ifndef': depth++; break;
            case 'endif': if (depth === 0) return nm; depth--; break;
            case 'elif': case 'else': case 'elifdef': case 'elifndef': if (depth === 0) return nm; break;
          }
        }
        lx.skipLine();
        t = null;
      }
    } finally {
      lx.quiet = false;
    }
  }

  private condition(ctx: FileCtx, name: PPToken): boolean {
    const toks = this.lineRest(ctx);
    if (!toks.length) {
      this.diags.error('pp-expr', `#${name.text} with no expression`, name.loc);
      return false;
    }
    this.inIf = true;
    let e: PPToken[];
    try {
      e = this.expandList(toks);
    } finally {
      this.inIf = false;
    }
    return evalCondition(e, this.diags, name.loc, '#' + name.text);
  }

  private lineDirective(ctx: FileCtx, name: PPToken, marker: boolean): void {
    const toks = this.expandList(this.lineRest(ctx));
    const n = marker ? name : toks.shift();
    if (n === undefined || n.kind !== T.Number || !/^[0-9]+$/.test(n.text)) {
      this.diags.error('pp-line', `${marker ? 'line marker' : '#line'} directive requires a simple digit sequence`, n?.loc ?? name.loc);
      return;
    }
    const physical = n.loc.file.position(n.loc.offset).line;
    ctx.lineDelta = Number(n.text) - physical - 1;
    const f = toks[0];
    if (f !== undefined) {
      if (f.kind !== T.String || !f.text.startsWith('"')) {
        this.diags.error('pp-line', `invalid filename "${f.text}" in ${marker ? 'line marker' : '#line'} directive`, f.loc);
        return;
      }
      ctx.presumedName = destringize(f.text);
      if (!marker && toks.length > 1) this.diags.warning('pp-extra-tokens', 'extra tokens at end of #line directive', toks[1]!.loc);
    }
  }

  // ---- #include ----

  private includeDirective(ctx: FileCtx, name: PPToken): void {
    const hn = ctx.ahead === null ? ctx.lexer.headerName() : null;
    let header: { name: string; angled: boolean; loc: Loc } | null;
    if (hn !== null) {
      header = { name: hn.name, angled: true, loc: hn.loc };
      this.noExtra(ctx, name.text);
    } else {
      const toks = this.lineRest(ctx);
      if (!toks.length) {
        this.diags.error('pp-include-syntax', `#${name.text} expects "FILENAME" or <FILENAME>`, name.loc);
        return;
      }
      const e = toks[0]!.kind === T.String ? toks : this.expandList(toks);
      header = this.headerFromTokens(e, name);
    }
    if (header === null) return;
    if (this.files.length >= MAX_INCLUDE_DEPTH) {
      this.diags.error('pp-include-depth', `#include nested depth ${this.files.length} exceeds maximum of ${MAX_INCLUDE_DEPTH}`, header.loc);
      return;
    }
    if (++this.includes > MAX_INCLUDES) {
      if (this.includes === MAX_INCLUDES + 1) this.diags.error('pp-include-depth', `more than ${MAX_INCLUDES} #includes; stopping`, header.loc);
      return;
    }
    const r = this.resolve(ctx, header.name, header.angled, name.text === 'include_next');
    if (r === null) {
      this.diags.error('pp-include-not-found', `'${header.name}' file not found`, header.loc);
      return;
    }
    if (this.once.has(r.key)) return;
    if (name.text === 'import') this.once.add(r.key);
    const g = this.guards.get(r.key);
    if (g !== undefined && this.isDefined(g)) return;
    this.cur = new FileCtx(r.file, new Lexer(r.file, this.diags, { shared: r.builtin }), r.key, r.dir, r.builtin, r.dirIndex);
    if (r.builtin) this.cur.defines = defineCache(r.file.name, r.file.text);
    this.files.push(this.cur);
  }

  /** A header name from "x" or < ... > tokens (after macro expansion); null after reporting. */
  private headerFromTokens(toks: PPToken[], at: PPToken): { name: string; angled: boolean; loc: Loc } | null {
    const f = toks[0];
    if (f !== undefined && f.kind === T.String && f.text.startsWith('"')) {
      if (toks.length > 1) this.diags.warning('pp-extra-tokens', `extra tokens after the file name`, toks[1]!.loc);
      const name = f.text.slice(1, -1);
      if (!name) { this.diags.error('pp-include-syntax', 'empty filename in #include', f.loc); return null; }
      return { name, angled: false, loc: f.loc };
    }
    if (f !== undefined && isPunct(f, '<')) {
      let i = 1;
      while (i < toks.length && !isPunct(toks[i]!, '>')) i++;
      if (i < toks.length) {
        const name = spell(toks.slice(1, i));
        if (!name) { this.diags.error('pp-include-syntax', 'empty filename in #include', f.loc); return null; }
        return { name, angled: true, loc: f.loc };
      }
    }
    this.diags.error('pp-include-syntax', `#include expects "FILENAME" or <FILENAME>`, f?.loc ?? at.loc);
    return null;
  }

  /**
   * Find an included file: see PreprocessOptions for the search order. #include_next searches
   * the include directories after the one the current file was found in.
   */
  private resolve(ctx: FileCtx, name: string, angled: boolean, next = false): Resolved | null {
    if (next) return this.searchDirs(name, ctx.dirIndex + 1);
    if (angled) return this.builtinFile(name) ?? this.searchDirs(name, 0);
    if (path.isAbsolute(name)) return this.userFile(name, -1);
    const rel = ctx.builtin ? this.builtinFile(path.posix.join(ctx.dir, name)) : this.userFile(path.join(ctx.dir, name), ctx.dirIndex);
    return rel ?? this.searchDirs(name, 0) ?? this.builtinFile(name);
  }

  private searchDirs(name: string, from: number): Resolved | null {
    for (let i = from; i < this.includeDirs.length; i++) {
      const r = this.userFile(path.join(this.includeDirs[i]!, name), i);
      if (r) return r;
    }
    return null;
  }

  private userFile(p: string, dirIndex: number): Resolved | null {
    const key = 'file:' + p;
    let r = this.fileCache.get(key);
    if (r === undefined) {
      const text = this.readFile(p);
      r = text === undefined ? null : { file: this.sources.add(p, text), key, dir: path.dirname(p), builtin: false, dirIndex };
      this.fileCache.set(key, r);
    }
    return r === null || r.dirIndex === dirIndex ? r : { ...r, dirIndex };
  }

  private builtinFile(name: string): Resolved | null {
    if (!this.opts.builtinHeader) return null;
    const key = 'builtin:' + name;
    let r = this.fileCache.get(key);
    if (r === undefined) {
      const text = this.opts.builtinHeader(name);
      r = text === undefined ? null : { file: this.sources.add(`<${name}>`, text), key, dir: path.posix.dirname(name), builtin: true, dirIndex: -1 };
      this.fileCache.set(key, r);
    }
    return r;
  }

  // ---- pragmas ----

  /** Handle the content of a #pragma or _Pragma; returns the token to emit, if any. */
  private pragma(toks: PPToken[], loc: Loc): PPToken | null {
    const first = toks[0];
    if (first === undefined) return null;
    const word = first.text;
    if (word === 'once') {
      this.once.add(this.cur.key);
      if (toks.length > 1) this.diags.warning('pp-extra-tokens', 'extra tokens at end of #pragma once', toks[1]!.loc);
      return null;
    }
    if (word === 'push_macro' || word === 'pop_macro') {
      const s = toks[2];
      if (toks.length !== 4 || !isPunct(toks[1]!, '(') || s === undefined || s.kind !== T.String || !isPunct(toks[3]!, ')')) {
        this.diags.error('pp-pragma', `#pragma ${word} expects ("NAME")`, first.loc);
        return null;
      }
      const n = destringize(s.text);
      let stack = this.pushed.get(n);
      if (word === 'push_macro') {
        if (!stack) this.pushed.set(n, (stack = []));
        stack.push(this.lookup(n));
      } else if (stack && stack.length) {
        this.macros.set(n, stack.pop()!);
      }
      return null;
    }
    if (word === 'GCC' && toks[1] !== undefined) {
      switch (toks[1].text) {
        case 'system_header': case 'poison': case 'dependency': case 'push_options': case 'pop_options':
          return null;
        case 'error': case 'warning': {
          const msg = toks[2] !== undefined && toks[2].kind === T.String ? destringize(toks[2].text) : spell(toks.slice(2));
          if (toks[1].text === 'error') this.diags.error('pp-error', msg, first.loc);
          else this.diags.warning('pp-warning', msg, first.loc);
          return null;
        }
      }
    }
    // Macros are expanded in the pragma's operands (#pragma unroll N), not in its name.
    const list = word === 'STDC' || word === 'GCC' || toks.length === 1 ? toks : [first, ...this.expandList(toks.slice(1))];
    return new PPToken(T.Pragma, spell(list), loc, true, true, null);
  }
}

/**
 * Preprocess `main` (a file of `sources`): the tokens for the parser, ending with one EOF token.
 * Problems are reported to `diags`; this never throws for bad input.
 */
export function preprocess(sources: SourceSet, main: SourceFile, diags: Diagnostics, opts: PreprocessOptions = {}): Token[] {
  let pp: Preprocessor;
  try {
    pp = new Preprocessor(sources, main, diags, opts);
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
    const end = main.text.length;
    return [new PPToken(T.EOF, '', { file: main, offset: end, length: 0, expansion: undefined, macro: undefined }, false, true, null)];
  }
  return pp.run();
}
