// BTF type kinds and the decoded shape of each (linux/btf.h).

export const Kind = {
  UNKN: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17,
  TYPE_TAG: 18, ENUM64: 19,
} as const;
export type KindName = keyof typeof Kind;
export type KindId = (typeof Kind)[KindName];

export const KIND_NAMES: readonly KindName[] = Object.keys(Kind) as KindName[];
export const kindName = (k: number): string => KIND_NAMES[k] ?? `kind${k}`;

interface Base { id: number; name: string }

export interface IntType extends Base { kind: 1; size: number; bits: number; bitOffset: number; signed: boolean; char: boolean; bool: boolean }
export interface PtrType extends Base { kind: 2; type: number }
export interface ArrayType extends Base { kind: 3; type: number; indexType: number; nelems: number }
export interface Member { name: string; type: number; bitOffset: number; /** 0 unless a bitfield */ bitfieldSize: number }
export interface StructType extends Base { kind: 4 | 5; size: number; members: Member[] }
export interface EnumValue { name: string; value: bigint }
export interface EnumType extends Base { kind: 6 | 19; size: number; signed: boolean; values: EnumValue[] }
export interface FwdType extends Base { kind: 7; union: boolean }
/** TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name or qualifier over another type. */
export interface RefType extends Base { kind: 8 | 9 | 10 | 11 | 18; type: number }
export type Linkage = 'static' | 'global' | 'extern';
export interface FuncType extends Base { kind: 12; type: number; linkage: Linkage }
export interface Param { name: string; type: number }
export interface FuncProtoType extends Base { kind: 13; returnType: number; params: Param[]; variadic: boolean }
export interface VarType extends Base { kind: 14; type: number; linkage: Linkage }
export interface VarSecInfo { type: number; offset: number; size: number }
export interface DatasecType extends Base { kind: 15; size: number; vars: VarSecInfo[] }
export interface FloatType extends Base { kind: 16; size: number }
export interface DeclTagType extends Base { kind: 17; type: number; componentIdx: number }
export interface VoidType extends Base { kind: 0 }

export type BtfType = VoidType | IntType | PtrType | ArrayType | StructType | EnumType | FwdType | RefType
  | FuncType | FuncProtoType | VarType | DatasecType | FloatType | DeclTagType;

export const LINKAGE: readonly Linkage[] = ['static', 'global', 'extern'];
