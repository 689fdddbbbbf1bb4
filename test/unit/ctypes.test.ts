// The C type model: promotions, the usual arithmetic conversions, operator result types,
// assignment verdicts, printing types, and constant folding. Expected values are C11's (LP64) and,
// where C leaves the choice open, clang's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VOID, BOOL, CHAR, SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, ULLONG, INT128, UINT128,
  FLOAT, DOUBLE, LDOUBLE, KERNEL_TYPEDEFS,
  type CType, type QualType, type EnumT, type FuncT, type RecordT,
  qual, ptrTo, arrayOf, newRecord, intByName, typeToString, describeType, sameType, compatible, compatibleTypes,
  sizeOf, alignOf, isInteger, isArithmetic, isScalar, isPointer, isRecord, isComplete, decay, newTypeId,
} from '../../src/compiler/check/types.js';
import {
  promote, usualArithmetic, binaryResult, unaryResult, conditionalResult, checkAssign, isNullPointerConstant,
  wrap, foldBinary, foldUnary, intMin, intMax, type Operand,
} from '../../src/compiler/check/convert.js';
import { layoutRecord, completeRecord, findField, fieldNames, LayoutError } from '../../src/compiler/check/layout.js';

const Q = (t: CType, extra: Partial<QualType> = {}): QualType => ({ type: t, ...extra });
const op = (t: CType | QualType, more: Partial<Operand> = {}): Operand => ({ type: 'type' in t ? t : Q(t), ...more });
const P = (t: CType | QualType): CType => ptrTo(t);
const uenum: EnumT = { kind: 'enum', name: 'e', id: newTypeId(), values: new Map([['A', 0n]]), base: UINT };
const senum: EnumT = { kind: 'enum', name: 's', id: newTypeId(), values: new Map([['M', -1n]]), base: INT };
const name = (t: CType) => typeToString(Q(t));

test('integer promotion (6.3.1.1)', () => {
  const cases: [CType, number | undefined, CType][] = [
    [CHAR, undefined, INT], [SCHAR, undefined, INT], [UCHAR, undefined, INT], [SHORT, undefined, INT], [USHORT, undefined, INT],
    [BOOL, undefined, INT], [INT, undefined, INT], [UINT, undefined, UINT], [LONG, undefined, LONG], [ULLONG, undefined, ULLONG],
    [uenum, undefined, UINT], [senum, undefined, INT],
    // bitfields: narrower than int → int; as wide as int → by signedness; wider → unchanged (clang)
    [UINT, 31, INT], [UINT, 32, UINT], [INT, 32, INT], [UCHAR, 8, INT], [BOOL, 1, INT],
    [ULONG, 31, INT], [ULONG, 32, UINT], [ULONG, 33, ULONG], [LLONG, 40, LLONG], [ULLONG, 1, INT],
    [DOUBLE, undefined, DOUBLE],
  ];
  for (const [from, width, want] of cases) {
    assert.equal(promote(from, width), want, `${name(from)}${width !== undefined ? `:${width}` : ''} → ${name(want)}`);
  }
});

test('usual arithmetic conversions (6.3.1.8, LP64)', () => {
  const cases: [CType, CType, CType][] = [
    [UINT, LONG, LONG], [ULONG, LLONG, ULLONG], [UINT, INT, UINT], [CHAR, CHAR, INT], [USHORT, SHORT, INT],
    [LONG, ULONG, ULONG], [INT, LLONG, LLONG], [UINT, LLONG, LLONG], [ULLONG, LONG, ULLONG], [LONG, LLONG, LLONG],
    [ULONG, ULLONG, ULLONG], [INT128, ULLONG, INT128], [UINT128, LLONG, UINT128], [INT128, UINT128, UINT128],
    [BOOL, BOOL, INT], [UCHAR, UINT, UINT], [uenum, INT, UINT], [senum, LONG, LONG],
    [INT, DOUBLE, DOUBLE], [FLOAT, LONG, FLOAT], [FLOAT, DOUBLE, DOUBLE], [LDOUBLE, FLOAT, LDOUBLE],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(usualArithmetic(a, b), want, `${name(a)} + ${name(b)} → ${name(want)}`);
    assert.equal(usualArithmetic(b, a), want, `${name(b)} + ${name(a)} → ${name(want)}`);
  }
  assert.equal(usualArithmetic(UINT, UINT, 31, undefined), UINT); // int (the bitfield) + unsigned int
  assert.equal(usualArithmetic(UINT, INT, 31, undefined), INT);
  assert.equal(usualArithmetic(ULONG, LONG, 33, undefined), ULONG);
});

test('binary operator result types and pointer arithmetic', () => {
  const rec = completeRecord(newRecord('struct', 'pair'), [{ name: 'a', type: Q(LONG) }, { name: 'b', type: Q(INT) }]);
  const fwd = newRecord('struct', 'opaque');
  const r1 = binaryResult('+', op(P(INT)), op(INT));
  assert.equal(r1.severity, 'ok'); assert.equal(typeToString(r1.type!), 'int *'); assert.equal(r1.scale, 4);
  const r2 = binaryResult('+', op(LONG), op(P(rec)));
  assert.equal(typeToString(r2.type!), 'struct pair *'); assert.equal(r2.scale, 16);
  const r3 = binaryResult('-', op(P(rec)), op(P(rec)));
  assert.equal(r3.type!.type, LONG); assert.equal(r3.scale, 16);
  assert.equal(binaryResult('-', op(P(Q(INT, { const: true }))), op(P(INT))).type!.type, LONG); // qualifiers don't matter
  assert.equal(binaryResult('+', op(P(VOID)), op(INT)).scale, 1); // GNU: void * arithmetic counts bytes
  assert.equal(binaryResult('-', op(P(rec)), op(UCHAR)).right!.type, INT); // the index is promoted
  // arrays decay
  const arr = binaryResult('+', op(arrayOf(CHAR, 16)), op(INT));
  assert.equal(typeToString(arr.type!), 'char *'); assert.equal(arr.scale, 1);

  const bad = binaryResult('+', op(P(fwd)), op(INT));
  assert.equal(bad.severity, 'error'); assert.match(bad.message!, /arithmetic on a pointer to an incomplete type 'struct opaque'/);
  const diff = binaryResult('-', op(P(INT)), op(P(LONG)));
  assert.equal(diff.severity, 'error'); assert.equal(diff.message, "'int *' and 'long *' are not pointers to compatible types");
  const inv = binaryResult('*', op(rec), op(INT));
  assert.equal(inv.message, "invalid operands to binary expression ('struct pair' and 'int')");
  assert.equal(binaryResult('%', op(DOUBLE), op(INT)).severity, 'error');
  assert.equal(binaryResult('+', op(P(INT)), op(P(INT))).severity, 'error');

  for (const o of ['<', '==', '&&', '||'] as const) assert.equal(binaryResult(o, op(ULONG), op(CHAR)).type!.type, INT);
  assert.equal(binaryResult('<', op(UINT), op(INT)).left!.type, UINT); // compared as unsigned
  assert.equal(binaryResult('<<', op(UCHAR), op(LONG)).type!.type, INT); // shift: the promoted left operand
  assert.equal(binaryResult('>>', op(ULONG), op(CHAR)).type!.type, ULONG);
  assert.equal(binaryResult('&', op(UINT, { bitWidth: 31 }), op(UINT)).type!.type, UINT);
  assert.equal(binaryResult('+', op(USHORT, { bitWidth: 3 }), op(USHORT)).type!.type, INT);

  const cmp = binaryResult('==', op(P(INT)), op(P(LONG)));
  assert.equal(cmp.severity, 'warning'); assert.equal(cmp.message, "comparison of distinct pointer types ('int *' and 'long *')");
  assert.equal(binaryResult('==', op(P(INT)), op(INT, { value: 0n })).severity, 'ok');
  assert.equal(binaryResult('!=', op(P(INT)), op(P(VOID), { value: 0n })).severity, 'ok');
  assert.equal(binaryResult('<', op(P(INT)), op(P(VOID))).severity, 'ok');
  const pi = binaryResult('==', op(P(INT)), op(INT, { value: 5n }));
  assert.equal(pi.severity, 'warning'); assert.equal(pi.message, "comparison between pointer and integer ('int *' and 'int')");
  assert.equal(binaryResult('>', op(INT), op(P(CHAR))).flag, 'pointer-integer-compare');

  const dz = binaryResult('/', op(INT), op(INT, { value: 0n }));
  assert.equal(dz.severity, 'warning'); assert.equal(dz.message, 'division by zero is undefined'); assert.equal(dz.type!.type, INT);
  assert.equal(binaryResult('<<', op(INT), op(INT, { value: 32n })).message, 'shift count >= width of type');
  assert.equal(binaryResult('<<', op(LONG), op(INT, { value: 32n })).severity, 'ok');
  assert.equal(binaryResult('>>', op(INT), op(INT, { value: -1n })).message, 'shift count is negative');

  assert.equal(unaryResult('-', op(UCHAR)).type!.type, INT);
  assert.equal(unaryResult('~', op(ULONG)).type!.type, ULONG);
  assert.equal(unaryResult('!', op(P(CHAR))).type!.type, INT);
  assert.equal(unaryResult('~', op(DOUBLE)).severity, 'error');
  assert.equal(unaryResult('-', op(rec)).message, "invalid argument type 'struct pair' to unary expression");
});

test('conditional operator types (6.5.15)', () => {
  assert.equal(conditionalResult(op(INT), op(ULONG)).type!.type, ULONG);
  assert.equal(typeToString(conditionalResult(op(P(INT)), op(INT, { value: 0n })).type!), 'int *');
  assert.equal(typeToString(conditionalResult(op(P(Q(INT, { const: true }))), op(P(INT))).type!), 'const int *');
  assert.equal(typeToString(conditionalResult(op(P(INT)), op(P(VOID))).type!), 'void *');
  const mism = conditionalResult(op(P(INT)), op(P(LONG)));
  assert.equal(mism.severity, 'warning'); assert.equal(typeToString(mism.type!), 'void *');
  assert.equal(conditionalResult(op(P(INT)), op(LONG)).flag, 'conditional-type-mismatch');
  assert.equal(conditionalResult(op(VOID), op(VOID)).type!.type, VOID);
  assert.equal(conditionalResult(op(newRecord('struct', 'a')), op(INT)).severity, 'error');
});

test('null pointer constants (6.3.2.3)', () => {
  assert.ok(isNullPointerConstant(Q(INT), 0n));
  assert.ok(isNullPointerConstant(Q(ULONG), 0n));
  assert.ok(isNullPointerConstant(Q(P(VOID)), 0n));
  assert.ok(!isNullPointerConstant(Q(P(Q(VOID, { const: true }))), 0n));
  assert.ok(!isNullPointerConstant(Q(P(CHAR)), 0n));
  assert.ok(!isNullPointerConstant(Q(INT), undefined));
  assert.ok(!isNullPointerConstant(Q(INT), 1n));
});

test('assignment compatibility (6.5.16.1) with clang verdicts', () => {
  const a = completeRecord(newRecord('struct', 'a'), [{ name: 'x', type: Q(INT) }]);
  const b = completeRecord(newRecord('struct', 'b'), [{ name: 'x', type: Q(INT) }]);
  const cc = Q(CHAR, { const: true });
  const fnInt: FuncT = { kind: 'func', ret: Q(INT), params: [], variadic: false };
  const fnLong: FuncT = { kind: 'func', ret: Q(LONG), params: [], variadic: false };
  const cases: [QualType, Operand, string, string | undefined][] = [
    [Q(P(CHAR)), op(INT, { value: 5n }), 'error', "incompatible integer to pointer conversion assigning to 'char *' from 'int'"],
    [Q(P(CHAR)), op(INT), 'error', "incompatible integer to pointer conversion assigning to 'char *' from 'int'"],
    [Q(P(CHAR)), op(INT, { value: 0n }), 'ok', undefined],
    [Q(P(CHAR)), op(P(VOID), { value: 0n }), 'ok', undefined],
    [Q(INT), op(P(CHAR)), 'error', "incompatible pointer to integer conversion assigning to 'int' from 'char *'"],
    [Q(BOOL), op(P(CHAR)), 'ok', undefined],
    [Q(P(CHAR)), op(P(cc)), 'warning', "assigning to 'char *' from 'const char *' discards qualifiers"],
    [Q(P(cc)), op(P(CHAR)), 'ok', undefined],
    [Q(P(INT)), op(P(LONG)), 'warning', "incompatible pointer types assigning to 'int *' from 'long *'"],
    [Q(P(INT)), op(P(UINT)), 'warning', "assigning to 'int *' from 'unsigned int *' converts between pointers to integer types with different sign"],
    [Q(P(CHAR)), op(P(UCHAR)), 'warning', "assigning to 'char *' from 'unsigned char *' converts between pointers to integer types with different sign"],
    [Q(P(P(CHAR))), op(P(P(cc))), 'warning', "assigning to 'char **' from 'const char **' discards qualifiers in nested pointer types"],
    [Q(P(P(cc))), op(P(P(CHAR))), 'warning', "assigning to 'const char **' from 'char **' discards qualifiers in nested pointer types"],
    [Q(P(VOID)), op(P(INT)), 'ok', undefined],
    [Q(P(INT)), op(P(VOID)), 'ok', undefined],
    [Q(P(INT)), op(arrayOf(INT, 4)), 'ok', undefined],
    [Q(P(fnInt)), op(fnInt), 'ok', undefined],
    [Q(P(fnInt)), op(P(fnLong)), 'error', "incompatible function pointer types assigning to 'int (*)(void)' from 'long (*)(void)'"],
    [Q(a), op(a), 'ok', undefined],
    [Q(a), op(b), 'error', "assigning to 'struct a' from incompatible type 'struct b'"],
    [Q(INT), op(a), 'error', "assigning to 'int' from incompatible type 'struct a'"],
    [Q(P(INT)), op(DOUBLE), 'error', "assigning to 'int *' from incompatible type 'double'"],
    [Q(uenum), op(INT), 'ok', undefined],
    [Q(DOUBLE), op(ULLONG), 'ok', undefined],
    [Q(P(uenum)), op(P(UINT)), 'ok', undefined], // an enum is compatible with its underlying type
  ];
  for (const [to, from, sev, msg] of cases) {
    const v = checkAssign(to, from);
    assert.equal(v.severity, sev, `${typeToString(to)} ← ${typeToString(from.type)}: ${v.message}`);
    assert.equal(v.message, msg);
  }
  const u32 = KERNEL_TYPEDEFS.get('u32')!;
  assert.equal(checkAssign(Q(P(u32)), op(P(INT)), 'pass').message,
    "passing 'int *' to parameter of type 'u32 *' (aka 'unsigned int *') converts between pointers to integer types with different sign");
  assert.equal(checkAssign(Q(P(CHAR)), op(LONG), 'return').message,
    "incompatible integer to pointer conversion returning 'long' from a function with result type 'char *'");
  assert.equal(checkAssign(Q(a), op(INT), 'init').message, "initializing 'struct a' with an expression of incompatible type 'int'");
  assert.equal(checkAssign(Q(P(CHAR)), op(INT)).flag, 'int-conversion');
});

test('typeToString in C declarator syntax', () => {
  const task = newRecord('struct', 'task_struct');
  const anon = newRecord('union');
  const u32 = KERNEL_TYPEDEFS.get('u32')!;
  const vp: FuncT = { kind: 'func', ret: Q(INT), params: [{ type: Q(P(VOID)) }], variadic: false };
  const cases: [QualType, string, string][] = [
    [Q(P(task)), '', 'struct task_struct *'],
    [Q(arrayOf(CHAR, 16)), '', 'char [16]'],
    [Q(arrayOf(CHAR, 16)), 'comm', 'char comm[16]'],
    [Q(P(vp)), '', 'int (*)(void *)'],
    [Q(P(vp)), 'fn', 'int (*fn)(void *)'],
    [Q(P(Q(CHAR, { const: true }))), '', 'const char *'],
    [Q(P(CHAR), { const: true }), '', 'char *const'],
    [Q(P(Q(CHAR, { const: true })), { const: true }), 's', 'const char *const s'],
    [Q(P(P(CHAR))), '', 'char **'],
    [Q(P(Q(P(CHAR), { const: true }))), '', 'char *const *'],
    [Q(P(arrayOf(CHAR, 16))), '', 'char (*)[16]'],
    [Q(arrayOf(P(vp), 4)), '', 'int (*[4])(void *)'],
    [Q(P({ kind: 'func', ret: Q(P(CHAR)), params: [{ type: Q(INT) }], variadic: false })), '', 'char *(*)(int)'],
    [Q(arrayOf(arrayOf(INT, 3), 2)), 'm', 'int m[2][3]'],
    [Q(arrayOf(INT)), '', 'int []'],
    [u32, '', 'u32'],
    [{ ...u32, const: true }, 'x', 'const u32 x'],
    [Q(P(u32)), '', 'u32 *'],
    [Q(ULONG), '', 'unsigned long'],
    [Q(anon), '', 'union (anonymous)'],
    [Q(uenum), '', 'enum e'],
    [Q({ kind: 'func', ret: Q(INT), params: [], variadic: false }), '', 'int (void)'],
    [Q({ kind: 'func', ret: Q(INT), params: [], variadic: false, noProto: true }), 'f', 'int f()'],
    [Q({ kind: 'func', ret: Q(INT), params: [{ type: Q(P(Q(CHAR, { const: true }))) }], variadic: true }), 'printk', 'int printk(const char *, ...)'],
    [Q(P(Q(CHAR, { tags: ['user'] }))), 'buf', 'char __user *buf'],
    [Q(P(VOID), { volatile: true }), '', 'void *volatile'],
  ];
  for (const [qt, n, want] of cases) assert.equal(typeToString(qt, n), want);
  assert.equal(describeType(u32), "'u32' (aka 'unsigned int')");
  assert.equal(describeType(Q(P(u32))), "'u32 *' (aka 'unsigned int *')");
  assert.equal(describeType(Q(P(task))), "'struct task_struct *'");
});

test('sameType and compatible (6.2.7)', () => {
  assert.ok(!sameType(LONG, LLONG));
  assert.ok(!sameType(ULONG, ULLONG));
  assert.ok(sameType(ULONG, { kind: 'int', size: 8, signed: false, name: 'unsigned long' }));
  assert.ok(!sameType(CHAR, SCHAR) && !sameType(CHAR, UCHAR));
  assert.ok(sameType(P(INT), P(INT)));
  assert.ok(!sameType(P(INT), P(Q(INT, { const: true }))));
  assert.ok(compatibleTypes(uenum, UINT) && !compatibleTypes(uenum, INT) && compatibleTypes(INT, senum));
  assert.ok(!compatibleTypes(uenum, senum));
  assert.ok(compatibleTypes(arrayOf(INT), arrayOf(INT, 4)));
  assert.ok(!compatibleTypes(arrayOf(INT, 3), arrayOf(INT, 4)));
  assert.ok(!compatible(Q(INT, { const: true }), Q(INT)));
  assert.ok(compatible(KERNEL_TYPEDEFS.get('u32')!, Q(UINT)));
  const a = newRecord('struct', 's'), b = newRecord('struct', 's');
  assert.ok(compatibleTypes(a, a) && !compatibleTypes(a, b)); // records by identity
  const noProto: FuncT = { kind: 'func', ret: Q(INT), params: [], variadic: false, noProto: true };
  const takesInt: FuncT = { kind: 'func', ret: Q(INT), params: [{ type: Q(INT) }], variadic: false };
  const takesChar: FuncT = { kind: 'func', ret: Q(INT), params: [{ type: Q(CHAR) }], variadic: false };
  const takesArr: FuncT = { kind: 'func', ret: Q(INT), params: [{ type: Q(arrayOf(INT, 4)) }], variadic: false };
  const takesPtr: FuncT = { kind: 'func', ret: Q(INT), params: [{ type: Q(P(INT)) }], variadic: false };
  assert.ok(compatibleTypes(noProto, takesInt) && !compatibleTypes(noProto, takesChar));
  assert.ok(compatibleTypes(takesArr, takesPtr)); // parameter adjustment
  assert.ok(!compatibleTypes(takesInt, takesPtr));
});

test('sizes, alignments, predicates, names', () => {
  const sizes: [CType, number, number][] = [
    [BOOL, 1, 1], [CHAR, 1, 1], [SHORT, 2, 2], [INT, 4, 4], [LONG, 8, 8], [LLONG, 8, 8], [INT128, 16, 16],
    [FLOAT, 4, 4], [DOUBLE, 8, 8], [LDOUBLE, 16, 16], [P(CHAR), 8, 8], [arrayOf(SHORT, 5), 10, 2], [uenum, 4, 4], [VOID, 1, 1],
  ];
  for (const [t, s, a] of sizes) { assert.equal(sizeOf(t), s, name(t)); assert.equal(alignOf(t), a, name(t)); }
  assert.ok(isInteger(uenum) && isInteger(BOOL) && !isInteger(FLOAT) && isArithmetic(FLOAT) && isScalar(P(VOID)));
  assert.ok(isPointer(decay(Q(arrayOf(INT, 2))).type) && isRecord(newRecord('union')));
  assert.ok(!isComplete(VOID) && !isComplete(arrayOf(INT)) && !isComplete(newRecord('struct')) && isComplete(INT));
  const spellings: [string, CType | undefined][] = [
    ['long unsigned int', ULONG], ['unsigned long', ULONG], ['short int', SHORT], ['short unsigned int', USHORT],
    ['__int128 unsigned', UINT128], ['signed char', SCHAR], ['char', CHAR], ['unsigned', UINT], ['signed', INT],
    ['long long int', LLONG], ['long long unsigned int', ULLONG], ['_Bool', BOOL], ['long double', undefined], ['foo', undefined],
  ];
  for (const [s, t] of spellings) assert.equal(intByName(s), t, s);
  assert.equal(KERNEL_TYPEDEFS.get('u64')!.type, ULLONG);
  assert.equal(KERNEL_TYPEDEFS.get('u64')!.typedefName, 'u64');
  assert.equal(KERNEL_TYPEDEFS.get('size_t')!.type, ULONG);
  assert.equal(KERNEL_TYPEDEFS.get('ssize_t')!.type, LONG);
  assert.equal(KERNEL_TYPEDEFS.get('__be32')!.type, UINT);
  assert.equal(KERNEL_TYPEDEFS.get('s8')!.type, SCHAR);
  assert.equal(KERNEL_TYPEDEFS.get('bool')!.type, BOOL);
  assert.equal(KERNEL_TYPEDEFS.get('pid_t')!.type, INT);
  assert.equal(qual(INT, { const: true }).const, true);
});

test('wrap() converts to a type\'s width and signedness', () => {
  const cases: [bigint, CType, bigint][] = [
    [256n, UCHAR, 0n], [255n, SCHAR, -1n], [128n, CHAR, -128n], [-1n, UINT, 4294967295n], [2n ** 63n, LLONG, -(2n ** 63n)],
    [5n, BOOL, 1n], [0n, BOOL, 0n], [-2n, BOOL, 1n], [-1n, ULLONG, 2n ** 64n - 1n], [0x1_0000_0001n, INT, 1n],
    [-32769n, SHORT, 32767n], [65536n + 7n, USHORT, 7n], [-1n, UINT128, 2n ** 128n - 1n], [2n ** 127n, INT128, -(2n ** 127n)],
    [-1n, uenum, 4294967295n],
  ];
  for (const [v, t, want] of cases) assert.equal(wrap(v, t as never), want, `${v} as ${name(t)}`);
  assert.equal(intMin(INT), -2147483648n); assert.equal(intMax(UINT), 4294967295n); assert.equal(intMax(BOOL), 1n);
});

test('constant folding', () => {
  const INT_MAX = 2147483647n, INT_MIN = -2147483648n;
  assert.deepEqual(foldBinary('+', INT_MAX, 1n, INT), { value: INT_MIN, warning: "overflow in expression; result is -2147483648 with type 'int'", code: 'const-overflow' });
  assert.deepEqual(foldBinary('+', 4294967295n, 1n, UINT), { value: 0n }); // unsigned wraps silently
  assert.equal(foldBinary('/', 1n, 0n, INT).error, 'division by zero');
  assert.equal(foldBinary('%', 1n, 0n, ULONG).error, 'remainder by zero');
  assert.equal(foldBinary('/', -7n, 2n, INT).value, -3n);
  assert.equal(foldBinary('%', -7n, 2n, INT).value, -1n);
  assert.equal(foldBinary('/', INT_MIN, -1n, INT).warning?.startsWith('overflow'), true);
  assert.equal(foldBinary('<', -1n, 1n, UINT).value, 0n); // -1 converts to UINT_MAX
  assert.equal(foldBinary('<', -1n, 1n, LONG).value, 1n);
  assert.equal(foldBinary('<<', 1n, 31n, INT).value, INT_MIN);
  assert.equal(foldBinary('<<', 1n, 31n, INT).warning, undefined); // only the sign bit: clang is silent
  assert.equal(foldBinary('<<', 3n, 31n, INT).code, 'const-shift-overflow');
  assert.equal(foldBinary('<<', 1n, 32n, INT).error, 'shift count >= width of type');
  assert.equal(foldBinary('<<', 1n, 32n, LONG).value, 4294967296n);
  assert.equal(foldBinary('>>', -8n, 1n, INT).value, -4n); // arithmetic shift
  assert.equal(foldBinary('>>', -8n, 1n, UINT).value, 2147483644n);
  assert.equal(foldBinary('>>', 1n, -1n, INT).error, 'shift count is negative');
  assert.equal(foldBinary('&', -1n, 0xffn, ULONG).value, 0xffn);
  assert.equal(foldBinary('|', 0x80n, 0x01n, INT).value, 0x81n);
  assert.equal(foldBinary('^', -1n, 0n, UINT).value, 4294967295n);
  assert.equal(foldBinary('*', 65536n, 65536n, INT).warning?.startsWith('overflow'), true);
  assert.equal(foldBinary('*', 65536n, 65536n, LONG).value, 4294967296n);
  assert.equal(foldBinary('&&', 2n, 3n, INT).value, 1n);
  assert.equal(foldBinary('||', 0n, 0n, INT).value, 0n);
  assert.equal(foldBinary('==', 4294967295n, -1n, UINT).value, 1n);
  assert.equal(foldUnary('-', INT_MIN, INT).warning?.startsWith('overflow'), true);
  assert.equal(foldUnary('-', 1n, UINT).value, 4294967295n);
  assert.equal(foldUnary('~', 0n, UINT).value, 4294967295n);
  assert.equal(foldUnary('~', 0n, INT).value, -1n);
  assert.equal(foldUnary('!', 7n, INT).value, 0n);
});

test('findField looks through anonymous members; layout errors name the member', () => {
  const inner = completeRecord(newRecord('union'), [{ name: 'u32v', type: Q(UINT) }, { name: 'bytes', type: Q(arrayOf(UCHAR, 8)) }]);
  const bits = completeRecord(newRecord('struct'), [{ name: 'lo', type: Q(UINT), bitWidth: 4 }, { name: 'hi', type: Q(UINT), bitWidth: 12 }]);
  const outer: RecordT = completeRecord(newRecord('struct', 'outer'), [
    { name: 'tag', type: Q(CHAR) }, { type: Q(inner) }, { name: 'x', type: Q(SHORT) }, { type: Q(bits) },
  ]);
  assert.equal(outer.size, 20);
  const b = findField(outer, 'bytes')!;
  assert.equal(b.offset, 4); assert.equal(b.path.length, 2); assert.equal(b.path[0]!.name, undefined);
  const hi = findField(outer, 'hi')!;
  assert.equal(hi.offset, 16); assert.equal(hi.bitOffset, 16 * 8 + 4); assert.equal(hi.field.bitWidth, 12);
  assert.equal(findField(outer, 'x')!.offset, 12);
  assert.equal(findField(outer, 'nope'), undefined);
  assert.deepEqual(fieldNames(outer), ['tag', 'u32v', 'bytes', 'x', 'lo', 'hi']);
  assert.equal(findField(newRecord('struct'), 'x'), undefined);

  const err = (members: Parameters<typeof layoutRecord>[1], kind: 'struct' | 'union' = 'struct') => {
    try { layoutRecord(kind, members); } catch (e) { assert.ok(e instanceof LayoutError); return [e.member, e.message]; }
    assert.fail('expected a LayoutError');
  };
  assert.deepEqual(err([{ name: 'a', type: Q(INT) }, { name: 'b', type: Q(INT), bitWidth: 33 }]),
    [1, "width of bit-field 'b' (33 bits) exceeds the width of its type (32 bits)"]);
  assert.deepEqual(err([{ name: 'b', type: Q(BOOL), bitWidth: 2 }]), [0, "width of bit-field 'b' (2 bits) exceeds the width of its type (1 bit)"]);
  assert.deepEqual(err([{ name: 'z', type: Q(INT), bitWidth: 0 }]), [0, "named bit-field 'z' has zero width"]);
  assert.deepEqual(err([{ name: 'f', type: Q(DOUBLE), bitWidth: 3 }]), [0, "bit-field 'f' has non-integral type 'double'"]);
  assert.deepEqual(err([{ name: 'd', type: Q(arrayOf(INT)) }, { name: 'n', type: Q(INT) }]), [0, "flexible array member 'd' not at end of struct"]);
  assert.deepEqual(err([{ name: 's', type: Q(newRecord('struct', 'later')) }]), [0, "field 's' has incomplete type 'struct later'"]);
  assert.deepEqual(err([{ name: 'd', type: Q(arrayOf(INT)) }], 'union'), [0, "flexible array member 'd' in a union is not allowed"]);
});
