// The AST: what the parser builds and the checker annotates. Every node has a location.
// Types as written (TypeExpr) stay syntactic here; the checker turns them into CTypes.
import type { Loc } from '../source.js';
import type { QualType, Field } from '../check/types.js';
import type { Sym } from '../check/scope.js';

// ---- attributes and types as written ---------------------------------------------

/** __attribute__((name(args))) — args kept as expressions (identifiers, numbers, strings). */
export interface Attribute { name: string; args: Expr[]; loc: Loc }

export interface Quals {
  const?: boolean;
  volatile?: boolean;
  restrict?: boolean;
  /** btf_type_tag / address-space style annotations: 'user', 'rcu', 'percpu'. */
  tags?: string[];
  attrs?: Attribute[];
}

export type TypeExpr =
  | { kind: 'builtin'; name: string; quals: Quals; loc: Loc } // canonical: 'int', 'unsigned long', 'char', '_Bool', 'void', 'signed char', '__int128', 'double'...
  | { kind: 'typedef'; name: string; quals: Quals; loc: Loc }
  | { kind: 'record'; tag: 'struct' | 'union'; name?: string; members?: FieldDecl[]; attrs: Attribute[]; quals: Quals; loc: Loc; /** true where the body is written here */ defines: boolean; /** _Static_assert among the members */ asserts?: { test: Expr; message?: string; loc: Loc }[] }
  | { kind: 'enum'; name?: string; values?: EnumValueDecl[]; attrs: Attribute[]; quals: Quals; loc: Loc; defines: boolean }
  | { kind: 'ptr'; to: TypeExpr; quals: Quals; loc: Loc }
  | { kind: 'array'; of: TypeExpr; size?: Expr; quals: Quals; loc: Loc }
  | { kind: 'func'; ret: TypeExpr; params: ParamDecl[]; variadic: boolean; /** `int f()` (no prototype) */ noProto: boolean; quals: Quals; loc: Loc }
  | { kind: 'typeof'; expr?: Expr; type?: TypeExpr; quals: Quals; loc: Loc };

export interface FieldDecl { name?: string; type: TypeExpr; bitWidth?: Expr; attrs: Attribute[]; loc: Loc }
export interface EnumValueDecl { name: string; value?: Expr; loc: Loc }
export interface ParamDecl { name?: string; type: TypeExpr; loc: Loc }

// ---- expressions -------------------------------------------------------------------

/** Filled in by the checker: the type, whether it is an lvalue, the constant value if any. */
interface E {
  loc: Loc;
  ty?: QualType;
  lvalue?: boolean;
  /** Folded integer constant (an integer constant expression, or a cast of one). */
  cv?: bigint;
  /** For identifiers: the symbol; for members: the field and its byte offset from the object. */
  sym?: Sym;
  field?: Field;
  offset?: number;
  /** Bitfield member: its width, and its bit offset from the start of the object it is read from. */
  bitWidth?: number;
  bitOffset?: number;
  /** Checked already (a dialect rewrite moved it into new code): the checker keeps its annotations. */
  checked?: boolean;
}

export type Expr =
  | (E & { kind: 'int'; value: bigint; unsigned: boolean; longs: 0 | 1 | 2; decimal: boolean; text: string })
  | (E & { kind: 'float'; value: number; text: string })
  | (E & { kind: 'char'; value: bigint; wide: boolean })
  | (E & { kind: 'string'; bytes: Uint8Array; wide: boolean })
  | (E & { kind: 'ident'; name: string })
  | (E & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  | (E & { kind: 'assign'; op: AssignOp; target: Expr; value: Expr })
  | (E & { kind: 'unary'; op: UnaryOp; operand: Expr })
  | (E & { kind: 'postfix'; op: '++' | '--'; operand: Expr })
  | (E & { kind: 'cond'; test: Expr; then?: Expr /* GNU a ?: b */; else: Expr })
  | (E & { kind: 'call'; callee: Expr; args: Expr[] })
  | (E & { kind: 'member'; object: Expr; name: string; arrow: boolean; nameLoc: Loc })
  | (E & { kind: 'index'; object: Expr; index: Expr })
  | (E & { kind: 'cast'; type: TypeExpr; operand: Expr })
  | (E & { kind: 'sizeof'; type?: TypeExpr; operand?: Expr })
  | (E & { kind: 'alignof'; type?: TypeExpr; operand?: Expr })
  | (E & { kind: 'comma'; left: Expr; right: Expr })
  | (E & { kind: 'compound'; type: TypeExpr; init: InitList })
  | (E & { kind: 'stmtexpr'; body: Block })
  | (E & { kind: 'offsetof'; type: TypeExpr; path: Designator[] })
  | (E & { kind: 'types_compatible'; a: TypeExpr; b: TypeExpr })
  | (E & { kind: 'va_arg'; operand: Expr; type: TypeExpr })
  | (E & { kind: 'generic'; control: Expr; assocs: { type?: TypeExpr; value: Expr }[] });

export type BinaryOp = '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!=' | '&' | '^' | '|' | '&&' | '||';
export type AssignOp = '=' | '*=' | '/=' | '%=' | '+=' | '-=' | '<<=' | '>>=' | '&=' | '^=' | '|=';
export type UnaryOp = '-' | '+' | '!' | '~' | '*' | '&' | '++' | '--' | '&&label';

export type Designator =
  | { kind: 'field'; name: string; loc: Loc }
  | { kind: 'index'; index: Expr; /** GNU [a ... b] */ end?: Expr; loc: Loc };

export interface InitItem { designators: Designator[]; value: Initializer; loc: Loc }
export interface InitList { kind: 'initlist'; items: InitItem[]; loc: Loc }
export type Initializer = Expr | InitList;

// ---- statements ----------------------------------------------------------------------

interface S { loc: Loc }

/** Loop annotations: `#pragma unroll [n]`, `#pragma clang loop unroll(full)`, `#pragma nounroll`. */
export interface LoopHints { unroll?: number | 'full' | 'none' }

export interface Block extends S { kind: 'block'; body: Stmt[]; end: Loc }

export type Stmt =
  | Block
  | (S & { kind: 'expr'; expr: Expr })
  | (S & { kind: 'decl'; decls: Decl[] })
  /** `struct s { ... };` or `enum { A, B };` inside a function. */
  | (S & { kind: 'tag'; type: TypeExpr })
  | (S & { kind: 'static_assert'; test: Expr; message?: string })
  | (S & { kind: 'if'; test: Expr; then: Stmt; else?: Stmt })
  | (S & { kind: 'while'; test: Expr; body: Stmt; hints: LoopHints })
  | (S & { kind: 'dowhile'; body: Stmt; test: Expr; hints: LoopHints })
  | (S & { kind: 'for'; init?: Stmt; test?: Expr; update?: Expr; body: Stmt; hints: LoopHints })
  | (S & { kind: 'switch'; test: Expr; body: Stmt })
  | (S & { kind: 'case'; value: Expr; /** GNU case a ... b */ end?: Expr; body: Stmt })
  | (S & { kind: 'default'; body: Stmt })
  | (S & { kind: 'break' })
  | (S & { kind: 'continue' })
  | (S & { kind: 'return'; value?: Expr })
  | (S & { kind: 'goto'; label: string })
  | (S & { kind: 'label'; label: string; body: Stmt })
  | (S & { kind: 'asm'; text: string; volatile: boolean })
  | (S & { kind: 'empty' });

// ---- declarations --------------------------------------------------------------------

export type Storage = 'typedef' | 'extern' | 'static' | 'auto' | 'register';

/** One declarator: a variable, a typedef, a function prototype, or a function definition (with body). */
export interface Decl {
  kind: 'decl';
  name: string;
  nameLoc: Loc;
  type: TypeExpr;
  storage?: Storage;
  inline: boolean;
  init?: Initializer;
  body?: Block;
  attrs: Attribute[];
  /** __asm__("name") label or section-ish extras. */
  asmLabel?: string;
  loc: Loc;
  /** Filled in by the checker. */
  sym?: Sym;
}

/** A struct/union/enum declared without declarators: `struct s { ... };` */
export interface TagDecl { kind: 'tag'; type: TypeExpr; loc: Loc }
export interface StaticAssert { kind: 'static_assert'; test: Expr; message?: string; loc: Loc }

export type TopLevel = Decl | TagDecl | StaticAssert | { kind: 'asm'; text: string; loc: Loc } | { kind: 'pragma'; text: string; loc: Loc };

export interface TranslationUnit { items: TopLevel[] }
