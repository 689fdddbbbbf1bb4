// Conversions (C11 6.3): integer promotion, the usual arithmetic conversions, the result type of
// every binary operator (pointer arithmetic included), assignment compatibility (6.5.16.1), and
// constant folding on bigint wrapped to a type's width.
//
// Where C leaves a diagnostic's severity to the implementation, clang's current choice is mirrored
// (clang ≥ 16): int↔pointer conversions (-Wint-conversion) and incompatible function pointer types
// (-Wincompatible-function-pointer-types) are errors; incompatible object pointer types, discarded
// qualifiers, pointer sign mismatches and pointer comparisons of mixed types are warnings. `flag` in
// each verdict names clang's -W option, so a checker can downgrade an error to a warning when asked.
import {
  INT, UINT, LONG, DOUBLE, LDOUBLE, FLOAT, VOID,
  type CType, type IntT, type EnumT, type QualType, type PtrT,
  isInteger, isArithmetic, isScalar, isPointer, isRecord, isVoid, isFunction, intOf, intRank, toUnsigned,
  compatible, compatibleTypes, unqualified, qualsIncluded, decay, describeType, isCompleteObject, sameType,
} from './types.js';

// ---- promotions and the usual arithmetic conversions --------------------------------------------

/**
 * Integer promotion (6.3.1.1p2). A bitfield narrower than int promotes to int; one exactly as wide
 * as int to int or unsigned int by its type's signedness; a wider bitfield keeps its declared type
 * (clang's rule, which C leaves open for types other than int and _Bool). Enums promote as their
 * underlying type. Non-integer types come back unchanged.
 */
export function promote(t: CType, bitWidth?: number): CType {
  if (!isInteger(t)) return t;
  const i = intOf(t);
  if (bitWidth !== undefined) {
    if (bitWidth < 32) return INT;
    if (bitWidth === 32) return i.signed ? INT : UINT;
  }
  if (intRank(i) < intRank(INT)) return i.size < 4 || i.signed ? INT : UINT;
  return i;
}

/** The promoted type of an integer. */
export const promoteInt = (t: IntT | EnumT, bitWidth?: number): IntT => promote(t, bitWidth) as IntT;

/**
 * The usual arithmetic conversions (6.3.1.8) with LP64 sizes: the common real type of two arithmetic
 * operands. Bit widths, when given, take part in the promotion first.
 */
export function usualArithmetic(a: CType, b: CType, aBitWidth?: number, bBitWidth?: number): CType {
  if (a.kind === 'float' || b.kind === 'float') {
    const size = Math.max(a.kind === 'float' ? a.size : 0, b.kind === 'float' ? b.size : 0);
    return size === 16 ? LDOUBLE : size === 8 ? DOUBLE : FLOAT;
  }
  const x = promoteInt(a as IntT | EnumT, aBitWidth), y = promoteInt(b as IntT | EnumT, bBitWidth);
  return commonInt(x, y);
}

function commonInt(x: IntT, y: IntT): IntT {
  if (sameType(x, y)) return x;
  const rx = intRank(x), ry = intRank(y);
  if (x.signed === y.signed) return rx >= ry ? x : y;
  const [u, s] = x.signed ? [y, x] : [x, y];
  const ru = u === x ? rx : ry, rs = s === x ? rx : ry;
  if (ru >= rs) return u;
  if (s.size > u.size) return s; // the signed type holds every value of the unsigned one
  return toUnsigned(s);
}

// ---- null pointer constants ---------------------------------------------------------------------

/**
 * A null pointer constant (6.3.2.3p3): an integer constant expression with the value 0, or one cast
 * to (unqualified) void *. `value` is the operand's folded value when it is an integer constant
 * expression (or such a cast), undefined otherwise.
 */
export function isNullPointerConstant(type: QualType, value: bigint | undefined): boolean {
  if (value !== 0n) return false;
  const t = type.type;
  if (isInteger(t)) return true;
  if (t.kind !== 'ptr') return false;
  const to = t.to;
  return isVoid(to.type) && !to.const && !to.volatile && !to.restrict;
}

// ---- operators ---------------------------------------------------------------------------------

/** An operand as the checker sees it after lvalue conversion (arrays and functions are decayed here). */
export interface Operand {
  type: QualType;
  /** Set when the operand is a bitfield (its width takes part in promotion). */
  bitWidth?: number;
  /** The folded value when the operand is an integer constant expression (or a cast of one to void *). */
  value?: bigint;
}

export type Severity = 'ok' | 'warning' | 'error';

export interface Verdict {
  severity: Severity;
  /** Diagnostic code (for the checker's table). */
  code?: string;
  /** clang's -W flag for this diagnostic, when it has one. */
  flag?: string;
  /** One-line message, clang's wording. */
  message?: string;
}

export interface OpResult extends Verdict {
  /** The expression's type; undefined when severity is 'error'. */
  type?: QualType;
  /** The type each operand converts to before the operation. */
  left?: QualType;
  right?: QualType;
  /** Pointer arithmetic: the size in bytes of the pointed-to type (the index is scaled by it, a difference divided by it). */
  scale?: number;
}

export type BinaryOp = '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!=' | '&' | '^' | '|' | '&&' | '||';
export type UnaryOp = '+' | '-' | '~' | '!';

const q = (t: CType): QualType => ({ type: t });
const INT_Q = q(INT);
const ok = (type: QualType, left?: QualType, right?: QualType, scale?: number): OpResult => ({ severity: 'ok', type, left, right, scale });
const invalid = (l: QualType, r: QualType): OpResult => ({
  severity: 'error', code: 'type-invalid-operands',
  message: `invalid operands to binary expression (${describeType(l)} and ${describeType(r)})`,
});

/** The type and conversions of `l op r` (6.5.5–6.5.14). Operands may be undecayed; they are decayed here. */
export function binaryResult(op: BinaryOp, lhs: Operand, rhs: Operand): OpResult {
  const l = decay(lhs.type), r = decay(rhs.type);
  const lt = l.type, rt = r.type;
  const arith = (): QualType => q(usualArithmetic(lt, rt, lhs.bitWidth, rhs.bitWidth));
  switch (op) {
    case '*': case '/': {
      if (!isArithmetic(lt) || !isArithmetic(rt)) return invalid(lhs.type, rhs.type);
      const c = arith();
      if (op === '/' && rhs.value === 0n && isInteger(rt)) return { ...ok(c, c, c), ...divZero('division') };
      return ok(c, c, c);
    }
    case '%': case '&': case '^': case '|': {
      if (!isInteger(lt) || !isInteger(rt)) return invalid(lhs.type, rhs.type);
      const c = arith();
      if (op === '%' && rhs.value === 0n) return { ...ok(c, c, c), ...divZero('remainder') };
      return ok(c, c, c);
    }
    case '+': {
      if (isArithmetic(lt) && isArithmetic(rt)) { const c = arith(); return ok(c, c, c); }
      if (isPointer(lt) && isInteger(rt)) return pointerOffset(l, lt, r, false);
      if (isInteger(lt) && isPointer(rt)) return pointerOffset(r, rt, l, true);
      return invalid(lhs.type, rhs.type);
    }
    case '-': {
      if (isArithmetic(lt) && isArithmetic(rt)) { const c = arith(); return ok(c, c, c); }
      if (isPointer(lt) && isInteger(rt)) return pointerOffset(l, lt, r, false);
      if (isPointer(lt) && isPointer(rt)) {
        const a = unqualified(lt.to), b = unqualified(rt.to);
        if (!compatible(a, b)) {
          return { severity: 'error', code: 'type-pointer-difference',
            message: `${describeType(lhs.type)} and ${describeType(rhs.type)} are not pointers to compatible types` };
        }
        const bad = incompleteArith(lt);
        if (bad) return bad;
        return ok(q(LONG), l, r, elementSize(lt));
      }
      return invalid(lhs.type, rhs.type);
    }
    case '<<': case '>>': {
      if (!isInteger(lt) || !isInteger(rt)) return invalid(lhs.type, rhs.type);
      const pl = q(promote(lt, lhs.bitWidth)), pr = q(promote(rt, rhs.bitWidth));
      const res = ok(pl, pl, pr);
      if (rhs.value !== undefined) {
        const width = BigInt((pl.type as IntT).size * 8);
        if (rhs.value < 0n) return { ...res, severity: 'warning', code: 'type-shift-count-negative', flag: 'shift-count-negative', message: 'shift count is negative' };
        if (rhs.value >= width) return { ...res, severity: 'warning', code: 'type-shift-count-overflow', flag: 'shift-count-overflow', message: 'shift count >= width of type' };
      }
      return res;
    }
    case '<': case '>': case '<=': case '>=': case '==': case '!=':
      return comparison(op, lhs, rhs, l, r);
    case '&&': case '||':
      if (!isScalar(lt) || !isScalar(rt)) return invalid(lhs.type, rhs.type);
      return ok(INT_Q, l, r);
  }
}

function divZero(what: string): Verdict {
  return { severity: 'warning', code: 'type-division-by-zero', flag: 'division-by-zero', message: `${what} by zero is undefined` };
}

/** Bytes per element for pointer arithmetic: void and functions count as 1 (the GNU extension). */
function elementSize(p: PtrT): number {
  const t = p.to.type;
  return isVoid(t) || isFunction(t) ? 1 : sizeOfComplete(t);
}

function sizeOfComplete(t: CType): number {
  switch (t.kind) {
    case 'int': case 'float': return t.size;
    case 'ptr': return 8;
    case 'enum': return t.base.size;
    case 'struct': case 'union': return t.size;
    case 'array': return (t.length ?? 0) * sizeOfComplete(t.of.type);
    default: return 1;
  }
}

function incompleteArith(p: PtrT): OpResult | undefined {
  const t = p.to.type;
  if (isVoid(t) || isFunction(t) || isCompleteObject(t)) return undefined;
  return { severity: 'error', code: 'type-incomplete-arith', message: `arithmetic on a pointer to an incomplete type ${describeType(p.to)}` };
}

function pointerOffset(ptr: QualType, pt: PtrT, idx: QualType, swapped: boolean): OpResult {
  const bad = incompleteArith(pt);
  if (bad) return bad;
  const i = q(promote(idx.type));
  const p = unqualified(ptr);
  return ok(p, swapped ? i : p, swapped ? p : i, elementSize(pt));
}

function comparison(op: BinaryOp, lhs: Operand, rhs: Operand, l: QualType, r: QualType): OpResult {
  const lt = l.type, rt = r.type;
  const equality = op === '==' || op === '!=';
  if (isArithmetic(lt) && isArithmetic(rt)) {
    const c = q(usualArithmetic(lt, rt, lhs.bitWidth, rhs.bitWidth));
    return ok(INT_Q, c, c);
  }
  if (isPointer(lt) && isPointer(rt)) {
    const a = unqualified(lt.to), b = unqualified(rt.to);
    if (compatible(a, b)) return ok(INT_Q, l, r);
    // void * against an object pointer (and, as an extension, a function pointer) is fine for equality;
    // clang also accepts it for ordering in C.
    if (isVoid(a.type) || isVoid(b.type)) return ok(INT_Q, l, r);
    if (isNullPointerConstant(rhs.type, rhs.value) || isNullPointerConstant(lhs.type, lhs.value)) return ok(INT_Q, l, r);
    return { ...ok(INT_Q, l, r), severity: 'warning', code: 'type-compare-distinct-pointers', flag: 'compare-distinct-pointer-types',
      message: `comparison of distinct pointer types (${describeType(lhs.type)} and ${describeType(rhs.type)})` };
  }
  if ((isPointer(lt) && isInteger(rt)) || (isInteger(lt) && isPointer(rt))) {
    const [pq, iOp] = isPointer(lt) ? [l, rhs] : [r, lhs];
    const lc = isPointer(lt) ? l : pq, rc = isPointer(rt) ? r : pq;
    if (isNullPointerConstant(iOp.type, iOp.value)) return ok(INT_Q, lc, rc);
    return { ...ok(INT_Q, lc, rc), severity: 'warning', code: 'type-pointer-integer-compare', flag: 'pointer-integer-compare',
      message: `${equality ? 'comparison' : 'ordered comparison'} between pointer and integer (${describeType(lhs.type)} and ${describeType(rhs.type)})` };
  }
  return invalid(lhs.type, rhs.type);
}

/** The type of a unary arithmetic operator's result (6.5.3.3). */
export function unaryResult(op: UnaryOp, x: Operand): OpResult {
  const t = decay(x.type).type;
  switch (op) {
    case '+': case '-':
      if (!isArithmetic(t)) break;
      { const p = q(promote(t, x.bitWidth)); return ok(p, p); }
    case '~':
      if (!isInteger(t)) break;
      { const p = q(promote(t, x.bitWidth)); return ok(p, p); }
    case '!':
      if (!isScalar(t)) break;
      return ok(INT_Q, decay(x.type));
  }
  return { severity: 'error', code: 'type-invalid-operand', message: `invalid argument type ${describeType(x.type)} to unary expression` };
}

/**
 * The type of `c ? a : b` (6.5.15) from its second and third operands, with clang's verdicts:
 * mismatched pointers give void * and a warning, pointer and integer the pointer and a warning.
 */
export function conditionalResult(a: Operand, b: Operand): OpResult {
  const l = decay(a.type), r = decay(b.type);
  const lt = l.type, rt = r.type;
  if (isArithmetic(lt) && isArithmetic(rt)) { const c = q(usualArithmetic(lt, rt, a.bitWidth, b.bitWidth)); return ok(c, c, c); }
  if (isVoid(lt) && isVoid(rt)) return ok(q(VOID), l, r);
  if (isRecord(lt) && isRecord(rt)) {
    if (lt === rt) return ok(unqualified(l), l, r);
    return { severity: 'error', code: 'type-conditional-mismatch',
      message: `incompatible operand types (${describeType(a.type)} and ${describeType(b.type)})` };
  }
  if (isPointer(lt) && isPointer(rt)) {
    const pa = lt.to, pb = rt.to;
    const merged = { const: pa.const || pb.const, volatile: pa.volatile || pb.volatile, restrict: pa.restrict || pb.restrict };
    if (isNullPointerConstant(b.type, b.value)) return ok(l, l, l);
    if (isNullPointerConstant(a.type, a.value)) return ok(r, r, r);
    if (isVoid(pa.type) || isVoid(pb.type)) {
      const p = q({ kind: 'ptr', to: { type: VOID, ...merged } });
      return ok(p, p, p);
    }
    if (compatibleTypes(pa.type, pb.type)) {
      const p = q({ kind: 'ptr', to: { ...unqualified(pa), ...merged } });
      return ok(p, p, p);
    }
    const p = q({ kind: 'ptr', to: { type: VOID, ...merged } });
    return { ...ok(p, p, p), severity: 'warning', code: 'type-pointer-mismatch', flag: 'pointer-type-mismatch',
      message: `pointer type mismatch (${describeType(a.type)} and ${describeType(b.type)})` };
  }
  if ((isPointer(lt) && isInteger(rt)) || (isInteger(lt) && isPointer(rt))) {
    const [p, iOp] = isPointer(lt) ? [l, b] : [r, a];
    if (isNullPointerConstant(iOp.type, iOp.value)) return ok(p, p, p);
    return { ...ok(p, p, p), severity: 'warning', code: 'type-conditional-mismatch', flag: 'conditional-type-mismatch',
      message: `pointer/integer type mismatch in conditional expression (${describeType(a.type)} and ${describeType(b.type)})` };
  }
  return { severity: 'error', code: 'type-conditional-mismatch',
    message: `incompatible operand types (${describeType(a.type)} and ${describeType(b.type)})` };
}

// ---- assignment --------------------------------------------------------------------------------

/** Where a value is converted as if by assignment; it changes only the wording. */
export type AssignContext = 'assign' | 'init' | 'pass' | 'return';

function phrase(ctx: AssignContext, to: QualType, from: QualType, incompatible = false): string {
  const T = describeType(to), U = describeType(from), inc = incompatible ? 'incompatible ' : '';
  switch (ctx) {
    case 'assign': return `assigning to ${T} from ${inc}${incompatible ? 'type ' : ''}${U}`;
    case 'init': return `initializing ${T} with an expression of ${inc}type ${U}`;
    case 'pass': return `passing ${U} to parameter of ${inc}type ${T}`;
    case 'return': return `returning ${U} from a function with ${inc}result type ${T}`;
  }
}

/**
 * Whether `from` converts to `to` as if by assignment (6.5.16.1), and clang's verdict when it does not
 * cleanly. `to` is the target's declared type (its own top-level qualifiers do not matter here).
 */
export function checkAssign(to: QualType, from: Operand, ctx: AssignContext = 'assign'): Verdict {
  const tt = to.type;
  const src = decay(from.type);
  const st = src.type;
  if (isArithmetic(tt) && isArithmetic(st)) return { severity: 'ok' };
  if (isRecord(tt)) {
    if (st === tt) return { severity: 'ok' };
    return { severity: 'error', code: 'type-incompatible', message: phrase(ctx, to, from.type, true) };
  }
  if (isPointer(tt)) {
    if (isNullPointerConstant(from.type, from.value)) return { severity: 'ok' };
    if (isPointer(st)) return pointerAssign(tt, st, to, from.type, ctx);
    if (isInteger(st)) {
      return { severity: 'error', code: 'type-int-conversion', flag: 'int-conversion',
        message: `incompatible integer to pointer conversion ${phrase(ctx, to, from.type)}` };
    }
    return { severity: 'error', code: 'type-incompatible', message: phrase(ctx, to, from.type, true) };
  }
  if (tt.kind === 'int' && tt.bool && isPointer(st)) return { severity: 'ok' };
  if (isInteger(tt) && isPointer(st)) {
    return { severity: 'error', code: 'type-int-conversion', flag: 'int-conversion',
      message: `incompatible pointer to integer conversion ${phrase(ctx, to, from.type)}` };
  }
  return { severity: 'error', code: 'type-incompatible', message: phrase(ctx, to, from.type, true) };
}

/** clang's checkPointerTypesForAssignment, for C. */
function pointerAssign(lp: PtrT, rp: PtrT, to: QualType, from: QualType, ctx: AssignContext): Verdict {
  const lpt = lp.to, rpt = rp.to;
  let verdict: Verdict = { severity: 'ok' };
  if (!qualsIncluded(rpt, lpt)) {
    verdict = { severity: 'warning', code: 'type-discards-qualifiers', flag: 'incompatible-pointer-types-discards-qualifiers',
      message: `${phrase(ctx, to, from)} discards qualifiers` };
  }
  const lv = isVoid(lpt.type), rv = isVoid(rpt.type);
  if (lv || rv) return verdict; // void * to and from any object (and, as an extension, function) pointer
  if (compatibleTypes(lpt.type, rpt.type)) return verdict;
  // Compatible but for signedness: -Wpointer-sign (plain char counts as either).
  const l = signless(lpt.type), r = signless(rpt.type);
  if (l && r && sameType(l, r)) {
    if (verdict.severity !== 'ok') return verdict;
    return { severity: 'warning', code: 'type-pointer-sign', flag: 'pointer-sign',
      message: `${phrase(ctx, to, from)} converts between pointers to integer types with different sign` };
  }
  // Same pointee at the bottom of equally deep pointers: only nested qualifiers differ.
  if (isPointer(lpt.type) && isPointer(rpt.type)) {
    let a: CType = lpt.type, b: CType = rpt.type;
    while (a.kind === 'ptr' && b.kind === 'ptr') { a = a.to.type; b = b.to.type; }
    if (compatibleTypes(a, b)) {
      return { severity: 'warning', code: 'type-discards-qualifiers', flag: 'incompatible-pointer-types-discards-qualifiers',
        message: `${phrase(ctx, to, from)} discards qualifiers in nested pointer types` };
    }
  }
  if (isFunction(lpt.type) && isFunction(rpt.type)) {
    return { severity: 'error', code: 'type-incompatible-function-pointer', flag: 'incompatible-function-pointer-types',
      message: `incompatible function pointer types ${phrase(ctx, to, from)}` };
  }
  return { severity: 'warning', code: 'type-incompatible-pointer', flag: 'incompatible-pointer-types',
    message: `incompatible pointer types ${phrase(ctx, to, from)}` };
}

/** The unsigned counterpart of an integer type (char → unsigned char), for the pointer-sign check. */
function signless(t: CType): IntT | undefined {
  if (!isInteger(t)) return undefined;
  const i = intOf(t);
  return i.char ? toUnsigned({ ...i, char: false, name: 'signed char' }) : i.bool ? i : toUnsigned(i);
}

// ---- constant folding --------------------------------------------------------------------------

/** The smallest and largest value of an integer type. */
export function intMin(t: IntT | EnumT): bigint {
  const i = intOf(t);
  return i.signed ? -(1n << BigInt(i.size * 8 - 1)) : 0n;
}
export function intMax(t: IntT | EnumT): bigint {
  const i = intOf(t);
  if (i.bool) return 1n;
  return i.signed ? (1n << BigInt(i.size * 8 - 1)) - 1n : (1n << BigInt(i.size * 8)) - 1n;
}
export const fitsIn = (v: bigint, t: IntT | EnumT): boolean => v >= intMin(t) && v <= intMax(t);

/**
 * A value converted to an integer type (6.3.1.3, with the two's-complement wrap clang and gcc
 * define for signed targets); converting to _Bool gives 0 or 1 (6.3.1.2).
 */
export function wrap(value: bigint, t: IntT | EnumT): bigint {
  const i = intOf(t);
  if (i.bool) return value !== 0n ? 1n : 0n;
  const bits = i.size * 8;
  return i.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}

/** A folded constant. `error` means the expression has no value (it is not a constant expression). */
export interface Folded {
  value: bigint;
  /** Why the expression is not a constant: division by zero, a shift count out of range. */
  error?: string;
  /** Signed overflow or a negative value shifted: the value is the wrapped one, with a warning. */
  warning?: string;
  code?: string;
}

const truth = (b: boolean): bigint => (b ? 1n : 0n);

/**
 * Fold `a op b` in type `t`: the common type for arithmetic, bitwise and comparison operators (the
 * result of a comparison is an int 0 or 1), the promoted left operand's type for shifts (b is the
 * count, unconverted). Operands are converted to `t` first.
 */
export function foldBinary(op: BinaryOp, a: bigint, b: bigint, t: IntT | EnumT): Folded {
  const it = intOf(t);
  const bits = BigInt(it.size * 8);
  if (op === '&&') return { value: truth(a !== 0n && b !== 0n) };
  if (op === '||') return { value: truth(a !== 0n || b !== 0n) };
  if (op === '<<' || op === '>>') {
    const x = wrap(a, it);
    if (b < 0n) return { value: 0n, error: 'shift count is negative', code: 'const-shift-count' };
    if (b >= bits) return { value: 0n, error: 'shift count >= width of type', code: 'const-shift-count' };
    if (op === '>>') return { value: x >> b };
    const exact = x << b;
    const value = wrap(exact, it);
    if (it.signed && x < 0n) return { value, warning: 'shifting a negative signed value is undefined', code: 'const-shift-negative' };
    // Like clang, setting just the sign bit (1 << 31) is not diagnosed; losing bits past it is.
    if (it.signed && exact >> bits !== 0n) {
      return { value, warning: `signed shift result (0x${exact.toString(16).toUpperCase()}) requires ${exact.toString(2).length + 1} bits to represent, but '${it.name}' only has ${bits} bits`, code: 'const-shift-overflow' };
    }
    return { value };
  }
  const x = wrap(a, it), y = wrap(b, it);
  let exact: bigint;
  switch (op) {
    case '+': exact = x + y; break;
    case '-': exact = x - y; break;
    case '*': exact = x * y; break;
    case '/': case '%':
      if (y === 0n) return { value: 0n, error: op === '/' ? 'division by zero' : 'remainder by zero', code: 'const-division-by-zero' };
      // bigint division truncates toward zero and the remainder takes the dividend's sign, as in C.
      exact = op === '/' ? x / y : x % y;
      break;
    case '&': return { value: wrap(x & y, it) };
    case '|': return { value: wrap(x | y, it) };
    case '^': return { value: wrap(x ^ y, it) };
    case '<': return { value: truth(x < y) };
    case '>': return { value: truth(x > y) };
    case '<=': return { value: truth(x <= y) };
    case '>=': return { value: truth(x >= y) };
    case '==': return { value: truth(x === y) };
    case '!=': return { value: truth(x !== y) };
  }
  const value = wrap(exact, it);
  if (it.signed && value !== exact) return { value, warning: overflowMessage(value, it), code: 'const-overflow' };
  return { value };
}

/** Fold a unary operator in the (promoted) type `t`; '!' gives an int 0 or 1. */
export function foldUnary(op: UnaryOp, a: bigint, t: IntT | EnumT): Folded {
  const it = intOf(t);
  const x = wrap(a, it);
  switch (op) {
    case '+': return { value: x };
    case '!': return { value: truth(x === 0n) };
    case '~': return { value: wrap(~x, it) };
    case '-': {
      const value = wrap(-x, it);
      if (it.signed && value !== -x) return { value, warning: overflowMessage(value, it), code: 'const-overflow' };
      return { value };
    }
  }
}

function overflowMessage(value: bigint, t: IntT): string {
  return `overflow in expression; result is ${value} with type '${t.name}'`;
}

/** A constant's value converted to another type (casts, assignment, the usual conversions). */
export function convertValue(value: bigint, to: CType): bigint {
  return isInteger(to) ? wrap(value, to) : value;
}

