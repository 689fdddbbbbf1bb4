// Symbols and scopes: ordinary identifiers and tags, nested by block.
import type { Loc } from '../source.js';
import type { QualType, RecordT, EnumT } from './types.js';
import type { Decl, Block } from '../parse/ast.js';

export type SymKind = 'var' | 'param' | 'func' | 'typedef' | 'enumconst';

export interface Sym {
  kind: SymKind;
  name: string;
  type: QualType;
  loc: Loc;
  /** File scope (globals and functions) or block scope. */
  global: boolean;
  storage?: 'static' | 'extern' | 'register' | 'auto';
  /** Enum constants: the value. */
  value?: bigint;
  /** Functions: the definition's body once seen; variables: defined (not just declared extern). */
  defined?: boolean;
  body?: Block;
  decl?: Decl;
  inline?: boolean;
  /** Attributes that matter later: section("..."), always_inline, noinline, aligned... */
  attrs?: Map<string, unknown[]>;
  /** Functions with bodies: the parameters' symbols, in order. */
  params?: Sym[];
  /** Set when its address is taken or it is otherwise used (for the code generator). */
  used?: boolean;
}

export type Tag = RecordT | EnumT;

export class Scope {
  readonly names = new Map<string, Sym>();
  readonly tags = new Map<string, { type: Tag; loc: Loc }>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Sym | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.names.get(name);
      if (v) return v;
    }
    return undefined;
  }

  lookupTag(name: string): { type: Tag; loc: Loc } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.tags.get(name);
      if (v) return v;
    }
    return undefined;
  }

  get isGlobal(): boolean { return !this.parent; }
}
