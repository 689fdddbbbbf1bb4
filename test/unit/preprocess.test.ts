// The preprocessor: the C standard's examples, macro edge cases, conditionals, #include, pragmas,
// locations through macro expansion, diagnostics, a fuzz run, and a timing printout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceSet, SourceFile, type Loc } from '../../src/compiler/source.js';
import { Diagnostics, formatDiagnostic, type Diagnostic } from '../../src/compiler/diagnostics.js';
import { T, type Token } from '../../src/compiler/token.js';
import {
  preprocess, tokenize, parseKernelConfig, readKernelConfig, kernelConfigFound, runningKernelVersionCode,
  parseIntegerConstant, parseCharConstant, SUPPORTED_BUILTINS, type PreprocessOptions,
} from '../../src/compiler/preprocess/index.js';

interface Result { toks: Token[]; out: string; diags: Diagnostics; list: Diagnostic[]; sources: SourceSet; main: SourceFile }

function run(text: string, opts: PreprocessOptions = {}, name = 'main.c'): Result {
  const sources = new SourceSet();
  const main = sources.add(name, text);
  const diags = new Diagnostics(1000);
  const toks = preprocess(sources, main, diags, { predefined: false, ...opts });
  assert.equal(toks[toks.length - 1]!.kind, T.EOF, 'ends with EOF');
  assert.equal(toks.filter((t) => t.kind === T.EOF).length, 1, 'exactly one EOF');
  return { toks, out: toks.slice(0, -1).map((t) => t.text).join(' '), diags, list: diags.list, sources, main };
}

/** Expected output, tokenized the same way, so spacing in the expectation does not matter. */
function norm(text: string): string {
  const toks = tokenize(new SourceFile(0, 'expected', text), new Diagnostics());
  return toks.slice(0, -1).map((t) => t.text).join(' ');
}

/** Preprocess without diagnostics and compare with the expected text. */
function expand(text: string, expected: string, opts: PreprocessOptions = {}): void {
  const r = run(text, opts);
  assert.equal(r.diags.format(), '', `no diagnostics for:\n${text}`);
  assert.equal(r.out, norm(expected), text);
}

function codes(r: Result): string[] {
  return r.list.map((d) => `${d.severity}:${d.code}`);
}

function pos(l: Loc): string {
  const p = l.file.position(l.offset);
  return `${l.file.name}:${p.line}:${p.col}`;
}

// ---- the C standard's examples (C11 6.10.3.3 - 6.10.3.5) ----

test('C11 6.10.3.5 EXAMPLE 3: the f(a) f(x * (a)) set', () => {
  expand(`#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };
`, `f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);
f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);
int i[] = { 1, 23, 4, 5, };
char c[2][6] = { "hello", "" };`);
});

test('C11 6.10.3.5 EXAMPLE 4: stringizing, pasting and a computed #include', () => {
  const files: Record<string, string> = { 'vers2.h': 'VERS2_CONTENT' };
  const r = run(String.raw`#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \
 x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\0d", "abc", '\4') // this goes away
 == 0) str(: @\n), s);
#include xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)
`, { readFile: (p) => files[p] });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, norm(String.raw`printf("x" "1" "= %d, x" "2" "= %s", x1, x2);
fputs("strncmp(\"abc\\0d\", \"abc\", '\\4') == 0" ": @\n", s);
VERS2_CONTENT
"hello";
"hello" ", world"`));
  // The stringized text is exact, not just token-equal.
  assert.ok(r.toks.some((t) => t.text === String.raw`"strncmp(\"abc\\0d\", \"abc\", '\\4') == 0"`));
});

test('C11 6.10.3.5 EXAMPLE 5: placemarkers', () => {
  expand(`#define t(x,y,z) x ## y ## z
int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
 t(10,,), t(,11,), t(,,12), t(,,) };`, 'int j[] = { 123, 45, 67, 89, 10, 11, 12, };');
});

test('C11 6.10.3.5 EXAMPLE 6: valid and invalid redefinitions', () => {
  const valid = `#define OBJ_LIKE (1-1)
#define OBJ_LIKE /* white space */ (1-1) /* other */
#define FUNC_LIKE(a) ( a )
#define FUNC_LIKE( a )( /* note the white space */ \\
 a /* other stuff on this line
 */ )
`;
  assert.deepEqual(codes(run(valid)), []);
  for (const bad of [
    '#define OBJ_LIKE (0) // different token sequence',
    '#define OBJ_LIKE (1 - 1) // different white space',
    '#define FUNC_LIKE(b) ( a ) // different parameter usage',
    '#define FUNC_LIKE(b) ( b ) // different parameter spelling',
  ]) {
    const r = run(valid + bad + '\n');
    assert.deepEqual(codes(r), ['warning:pp-macro-redefined'], bad);
    assert.equal(r.list[0]!.notes[0]!.message, 'previous definition is here');
  }
});

test('C11 6.10.3.5 EXAMPLE 7: variadic macros', () => {
  expand(`#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test):\\
 printf(__VA_ARGS__))
debug("Flag");
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);`, `fprintf(stderr, "Flag" );
fprintf(stderr, "X = %d\\n", x );
puts( "The first, second, and third items." );
((x>y)?puts("x>y"): printf("x is %d but y is %d", x, y));`);
});

test('C11 6.10.3.3 EXAMPLE: hash_hash', () => {
  expand(`#define hash_hash # ## #
#define mkstr(a) # a
#define in_between(a) mkstr(a)
#define join(c, d) in_between(c hash_hash d)
char p[] = join(x, y);`, 'char p[] = "x ## y";');
  const r = run(`#define hash_hash # ## #
#define mkstr(a) # a
#define in_between(a) mkstr(a)
#define join(c, d) in_between(c hash_hash d)
join(x, y)`);
  assert.equal(r.toks[0]!.text, '"x ## y"');
});

test('C11 6.10.3.4 EXAMPLE: f(2)(9) rescans into the rest of the input', () => {
  expand(`#define f(a) a*g
#define g(a) f(a)
f(2)(9)`, '2*9*g');
});

// ---- macros ----

test('stringizing edge cases', () => {
  const S = '#define s(x) #x\n#define xs(x) s(x)\n';
  const cases: [string, string][] = [
    ['s(  a   +   b  )', '"a + b"'],
    ['s(a+b)', '"a+b"'],
    ['s("a\\n")', String.raw`"\"a\\n\""`],
    [`s('"')`, String.raw`"'\"'"`],
    [`s('\\0')`, String.raw`"'\\0'"`],
    ['s()', '""'],
    ['s(a /* c */ b)', '"a b"'],
    ['s(a\n  b)', '"a b"'],
    ['s(f(x, y))', '"f(x, y)"'],
    ['s(L"w")', String.raw`"L\"w\""`],
    ['xs(__LINE__)', '"3"'],
    ['s(__LINE__)', '"__LINE__"'],
    ['s(\\)', String.raw`"\"`],
  ];
  for (const [src, want] of cases) {
    const r = run(S + src);
    assert.equal(r.toks[0]!.kind, T.String, src);
    assert.equal(r.toks[0]!.text, want, src);
  }
});

test('pasting: identifiers, numbers, punctuators, rescanning, and invalid pastes', () => {
  const C = '#define cat(a, b) a ## b\n#define xcat(a, b) cat(a, b)\n#define cat3(a, b, c) a ## b ## c\n#define AB 42\n';
  const cases: [string, string][] = [
    ['cat(foo, bar)', 'foobar'],
    ['cat(x, 1)', 'x1'],
    ['cat(1, 2)', '12'],
    ['cat(1, e)', '1e'],
    ['cat(0x, 1f)', '0x1f'],
    ['cat(-, >)', '->'],
    ['cat(<<, =)', '<<='],
    ['cat(<, <)', '<<'],
    ['cat(A, B)', '42'],
    ['cat(1 2, 3 4)', '1 23 4'],
    ['cat(, x)', 'x'],
    ['cat(x, )', 'x'],
    ['cat(,)', ''],
    ['cat3(a, b, c)', 'abc'],
    ['#define twice(a, b) a ## ## b\ntwice(x, y)', 'xy'],
    ['cat3(, , c)', 'c'],
    ['xcat(cat(a, b), c)', 'abc'],
    ['cat(L, "s")', 'L"s"'],
    ['cat(u8, "s")', 'u8"s"'],
  ];
  for (const [src, want] of cases) {
    const r = run(C + src);
    assert.equal(r.diags.format(), '', src);
    assert.equal(r.out, norm(want), src);
  }
  assert.equal(run(C + 'cat(L, "s")').toks[0]!.kind, T.String);
  assert.equal(run(C + 'cat(1, 2)').toks[0]!.kind, T.Number);
  // A pasted ## is just a (stray) token.
  assert.deepEqual(codes(run(C + 'cat(#, #)')), ['error:pp-stray']);
  const inv = run(C + 'cat(+, -) cat(., .) cat(/, /)');
  assert.deepEqual(codes(inv), ['error:pp-invalid-paste', 'error:pp-invalid-paste', 'error:pp-invalid-paste']);
  assert.equal(inv.out, '+ - . . / /');
  assert.match(inv.list[0]!.message, /pasting "\+" and "-" does not give a valid preprocessing token/);
});

test('GNU comma elision and __VA_OPT__', () => {
  const D = `#define e(fmt, ...) f(fmt, ##__VA_ARGS__)
#define n(fmt, args...) g(fmt, ## args)
#define only(...) h(0, ##__VA_ARGS__)
#define opt(a, ...) k(a __VA_OPT__(,) __VA_ARGS__)
#define opt2(a, ...) __VA_OPT__(x ## a) b
#define EMPTY
`;
  const cases: [string, string][] = [
    ['e(x)', 'f(x)'],
    // As GCC and clang do: the comma goes only when the variable arguments are left out.
    ['e(x,)', 'f(x,)'],
    ['e(x, EMPTY)', 'f(x,)'],
    ['only(EMPTY)', 'h(0,)'],
    ['e(x, 1)', 'f(x,1)'],
    ['e(x, 1, 2)', 'f(x,1,2)'],
    ['n(x)', 'g(x)'],
    ['n(x, a, b)', 'g(x,a,b)'],
    ['only()', 'h(0)'],
    ['only(1)', 'h(0,1)'],
    ['opt(1)', 'k(1)'],
    ['opt(1, 2, 3)', 'k(1, 2, 3)'],
    ['opt(1, EMPTY)', 'k(1)'],
    ['opt2(y)', 'b'],
    ['opt2(y, 1)', 'xy b'],
    // C23's examples (6.10.5.2): placemarkers at the edges of a __VA_OPT__ and #__VA_OPT__.
    ['#define H2(X, Y, ...) __VA_OPT__(X ## Y,) __VA_ARGS__\nH2(a, b, c, d)', 'ab, c, d'],
    ['#define H3(X, ...) #__VA_OPT__(X##X X##X)\nH3(, 0)', '""'],
    ['#define H4(X, ...) __VA_OPT__(a X ## X) ## b\nH4(, 1)', 'a b'],
    ['#define H5A(...) __VA_OPT__()/**/__VA_OPT__()\n#define H5B(X) a ## X ## b\n#define H5C(X) H5B(X)\nH5C(H5A())', 'ab'],
    ['#define SDEF(sname, ...) S sname __VA_OPT__(= { __VA_ARGS__ })\nSDEF(foo); SDEF(bar, 1, 2);', 'S foo; S bar = { 1, 2 };'],
    ['#define F(...) f(0 __VA_OPT__(,) __VA_ARGS__)\nF(a, b, c) F() F(EMPTY)', 'f(0, a, b, c) f(0) f(0)'],
    ['#define S(...) #__VA_OPT__(x   y) #__VA_ARGS__\nS(1,  2)', '"x y" "1, 2"'],
  ];
  for (const [src, want] of cases) {
    const r = run(D + src);
    assert.equal(r.diags.format(), '', src);
    assert.equal(r.out, norm(want), src);
  }
});

test('recursion terminates: the hide-set rule', () => {
  const cases: [string, string][] = [
    ['#define foo foo\nfoo', 'foo'],
    ['#define a b\n#define b a\na b', 'a b'],
    ['#define f(x) g(x)\n#define g(x) f(x)\nf(1) g(2)', 'f(1) g(2)'],
    ['#define f(x) x\nf(f)(1)', 'f(1)'],
    ['#define f(x) x(f)\nf(f)', 'f(f)'],
    ['#define AA BB\n#define BB AA + 1\nAA', 'AA + 1'],
    ['#define obj(x) x obj\nobj(obj(1))', '1 obj obj'],
    ['#define NIL(x) x\n#define G_0(arg) NIL(G_1)(arg)\n#define G_1(arg) NIL(arg)\nG_0(42)', '42'],
  ];
  for (const [src, want] of cases) {
    const r = run(src);
    assert.equal(r.diags.format(), '', src);
    assert.equal(r.out, norm(want), src);
  }
});

test('function-like macros: names without (, arguments across lines, nested parentheses', () => {
  const D = '#define f(x) [x]\n#define two(a, b) a|b\n#define ZERO() z\n';
  const cases: [string, string][] = [
    ['int f;', 'int f;'],
    ['f', 'f'],
    ['f (1)', '[1]'],
    ['f\n(1)', '[1]'],
    ['two(\n1,\n2)', '1|2'],
    ['two((a, b), c)', '(a, b)|c'],
    ['two(f((x, y)), (1))', '[(x, y)]|(1)'],
    ['ZERO()', 'z'],
    ['ZERO( )', 'z'],
    ['f(f(1))', '[[1]]'],
    ['#define g f\ng(2)', '[2]'],
    ['#define lp (\nf lp 3)', 'f ( 3)'],
  ];
  for (const [src, want] of cases) {
    const r = run(D + src);
    assert.equal(r.diags.format(), '', src);
    assert.equal(r.out, norm(want), src);
  }
  // A comma inside brackets still separates arguments (only parentheses nest).
  assert.deepEqual(codes(run(D + 'f([a, b])')), ['error:pp-macro-args']);
});

test('argument count errors and unterminated invocations are diagnosed', () => {
  const D = '#define f(x) x\n#define g(a, b) a b\n#define v(a, ...) a\n';
  assert.deepEqual(codes(run(D + 'f(1, 2)')), ['error:pp-macro-args']);
  assert.deepEqual(codes(run(D + 'g(1)')), ['error:pp-macro-args']);
  assert.match(run(D + 'g(1)').list[0]!.message, /requires 2 arguments, but only 1 given/);
  assert.deepEqual(codes(run(D + 'v()')), []);
  assert.deepEqual(codes(run(D + 'f(1')), ['error:pp-unterminated-args']);
  // An included file does not finish a macro call started in its includer.
  const r = run('#define f(x) x\n#include "a.h"\n)', { readFile: (p) => (p === 'a.h' ? 'f(1' : undefined) });
  assert.deepEqual(codes(r), ['error:pp-unterminated-args']);
});

test('#define errors', () => {
  const cases: [string, string][] = [
    ['#define', 'pp-macro-name'],
    ['#define 3 x', 'pp-macro-name'],
    ['#define defined 1', 'pp-macro-name'],
    ['#define f(x, x) x', 'pp-macro-params'],
    ['#define f(x', 'pp-macro-params'],
    ['#define f(1) x', 'pp-macro-params'],
    ['#define f(... , x) x', 'pp-macro-params'],
    ['#define f(x) #y', 'pp-stringize'],
    ['#define f(x) ## x', 'pp-paste-edge'],
    ['#define f(x) x ##', 'pp-paste-edge'],
    ['#define X ## y', 'pp-paste-edge'],
    ['#undef', 'pp-macro-name'],
    ['#undef 1', 'pp-macro-name'],
  ];
  for (const [src, code] of cases) assert.deepEqual(codes(run(src)), [`error:${code}`], src);
  // # in an object-like macro is an ordinary token.
  expand('#define H # x\n#define s(a) #a\n#define xs(a) s(a)\nxs(H)', '"# x"');
});

// ---- conditionals ----

test('#if expressions: arithmetic, unsigned comparisons, shifts, ternary, defined, char constants', () => {
  const D = '#define ONE 1\n#define EMPTY\n#define F(x) ((x) + 1)\n#define DEF defined(ONE)\n';
  const cases: [string, boolean][] = [
    ['1', true], ['0', false], ['ONE', true], ['UNDEFINED_NAME', false], ['UNDEFINED_NAME == 0', true],
    ['defined ONE', true], ['defined(ONE)', true], ['defined ( ONE )', true], ['defined NOPE', false], ['!defined NOPE', true],
    ['defined EMPTY', true], ['DEF', true],
    ['2 + 3 * 4 == 14', true], ['(2 + 3) * 4 == 20', true], ['10 - 2 - 3 == 5', true], ['100 / 10 / 5 == 2', true],
    ['-16 / 3 == -5', true], ['-16 % 3 == -1', true], ['7 % -3 == 1', true],
    ['-1 < 0', true], ['-1 < 0u', false], ['-1 > 0u', true], ['0u - 1 == 18446744073709551615u', true],
    ['0xFFFFFFFFFFFFFFFF == -1', true], ['0xffffffffffffffff > 0', true], ['18446744073709551615u == -1', true],
    ['9223372036854775807 > 0', true], ['0x7fffffffffffffff + 1 < 0', true],
    ['1 << 63 < 0', true], ['1u << 63 > 0', true], ['(1 << 62) == 4611686018427387904', true],
    ['-1 >> 1 == -1', true], ['-1u >> 63 == 1', true], ['1 << 64 == 0', true], ['1 >> 70 == 0', true], ['8 << -1 == 4', true],
    ['~0 == -1', true], ['~0u == 0xffffffffffffffff', true], ['!0 == 1', true], ['!5', false], ['-(-3) == 3', true], ['+4 == 4', true],
    ['(5 & 3) == 1 && (5 | 3) == 7 && (5 ^ 3) == 6', true],
    ['1 ? 2 : 3', true], ['0 ? 2 : 0', false], ['(0 ? 1u : -1) > 0', true], ['(1 ? -1 : 0u) > 0', true], ['1 ? 0 ? 5 : 0 : 1', false],
    ['0 && 1 / 0', false], ['1 || 1 / 0', true], ['0 ? 1 / 0 : 1', true], ['(2 || 3) == 1', true], ['(0 && 7) == 0', true],
    ['10 > 5 > 0', true], ['3 >= 3 && 3 <= 3 && 2 != 3', true],
    ['0b101 == 5', true], ['010 == 8', true], ['0x10 == 16', true], ['10UL == 10', true], ['10llu == 10', true],
    ["'a' == 97", true], ["'\\n' == 10", true], ["'\\377' < 0", true], ["'\\xff' == -1", true], ["u8'a' == 97", true],
    ["'\\0' == 0", true], ["L'\\xffffffff' < 0", true], ["U'\\xffffffff' > 0", true], ["'ab' == 24930", true], ["'\\'' == 39", true],
    ['F(2) == 3', true], ['1, 0', false], ['(1, 1)', true],
    ['__has_builtin(__builtin_memcpy)', true], ['__has_builtin(__builtin_nonsense)', false],
    ['defined(__has_include) && defined __has_builtin', true], ['__has_attribute(__always_inline__)', true],
    ['__has_feature(c_static_assert)', false],
    ['defined(__LINE__) && __LINE__ > 0', true],
  ];
  for (const [expr, want] of cases) {
    const r = run(`${D}#if ${expr}\nyes\n#else\nno\n#endif\n`);
    assert.deepEqual(r.list.filter((d) => d.severity === 'error').map((d) => d.message), [], expr);
    assert.equal(r.out, want ? 'yes' : 'no', expr);
  }
});

test('#if expression errors make the condition false', () => {
  const cases: [string, string][] = [
    ['1 / 0', 'pp-expr'], ['1 % 0', 'pp-expr'], ['', 'pp-expr'], ['1 +', 'pp-expr'], ['(1', 'pp-expr'], ['1)', 'pp-expr'],
    ['1 2', 'pp-expr'], ['1.0', 'pp-expr'], ['"s"', 'pp-expr'], ['x = 1', 'pp-expr'], ['1 ? 2', 'pp-expr'], ['0x', 'pp-expr'],
    ['08', 'pp-expr'], ['1 abc', 'pp-expr'], ['12zz', 'pp-expr'], ["''", 'pp-expr'], ['defined', 'pp-defined'], ['defined(X', 'pp-defined'],
    ['defined 3', 'pp-defined'],
  ];
  for (const [expr, code] of cases) {
    const r = run(`#if ${expr}\nyes\n#else\nno\n#endif\n`);
    assert.ok(codes(r).includes(`error:${code}`), `${expr}: ${codes(r).join(', ')}`);
    assert.equal(r.out, 'no', expr);
  }
  const deep = run(`#if ${'('.repeat(5000)}1${')'.repeat(5000)}\nyes\n#endif`);
  assert.ok(codes(deep).includes('error:pp-expr'));
  assert.equal(run('#if 18446744073709551616\n#endif').list[0]!.code, 'pp-int-too-large');
  assert.equal(run('#if 9223372036854775808 > 0\nyes\n#endif').out, 'yes');
});

test('conditional groups: #ifdef, #elif chains, nesting, skipped groups', () => {
  const cases: [string, string][] = [
    ['#ifdef A\na\n#else\nb\n#endif', 'b'],
    ['#define A\n#ifdef A\na\n#else\nb\n#endif', 'a'],
    ['#ifndef A\na\n#endif', 'a'],
    ['#if 0\n1\n#elif 0\n2\n#elif 1\n3\n#elif 1\n4\n#else\n5\n#endif', '3'],
    ['#if 1\n1\n#elif 1 / 0\n2\n#else\n3\n#endif', '1'],
    ['#if 0\n#if 1 / 0\n#error no\n#else\nx\n#endif\n#elif 1\ny\n#endif', 'y'],
    ['#if 0\n#ifdef A\n#elif\n#else\n#endif\nz\n#else\nw\n#endif', 'w'],
    ['#if 0\n don\'t " unterminated /* comment\n still */ #endif\n#endif\nok', 'ok'],
    ['#if 0\n#bogus directive\n#error not reported\n#endif\nok', 'ok'],
    ['#define X 1\n#if X == 1\n#undef X\n#define X 2\n#endif\nX', '2'],
    ['#define A\n#elifdef A\n', ''],
    ['#if 0\n#elifdef NOPE\na\n#elifndef NOPE\nb\n#endif', 'b'],
    ['  #  if 1\nx\n  #  endif', 'x'],
    ['%:if 1\nx\n%:endif', 'x'],
    ['/* c */ #if 0\nx\n#endif\ny', 'y'],
    ['#if 1 //c\nx\n#endif /* c */', 'x'],
  ];
  for (const [src, want] of cases) {
    const r = run(src);
    if (src.startsWith('#define A\n#elifdef')) { assert.deepEqual(codes(r), ['error:pp-unmatched']); continue; }
    assert.equal(r.diags.format(), '', src);
    assert.equal(r.out, norm(want), src);
  }
});

test('conditional structure errors', () => {
  assert.deepEqual(codes(run('#if 1\nx')), ['error:pp-unterminated-if']);
  assert.deepEqual(codes(run('#if 1\n#if 0\n')), ['error:pp-unterminated-if', 'error:pp-unterminated-if']);
  assert.deepEqual(codes(run('#ifdef X\n#if 0\n')), ['error:pp-unterminated-if']);
  assert.deepEqual(codes(run('#if 0\n#else\n#else\n#endif')), ['error:pp-else-after-else']);
  assert.deepEqual(codes(run('#if 1\n#else\n#elif 1\n#endif')), ['error:pp-elif-after-else']);
  assert.deepEqual(codes(run('#endif')), ['error:pp-unmatched']);
  assert.deepEqual(codes(run('#else')), ['error:pp-unmatched']);
  assert.deepEqual(codes(run('#elif 1')), ['error:pp-unmatched']);
  assert.deepEqual(codes(run('#ifdef\n#endif')), ['error:pp-macro-name']);
  assert.deepEqual(codes(run('#ifdef X junk\n#endif')), ['warning:pp-extra-tokens']);
  assert.deepEqual(codes(run('#if 1\n#endif X')), ['warning:pp-extra-tokens']);
  const r = run('int a;\n#if 1\n');
  assert.equal(pos(r.list[0]!.loc!), 'main.c:2:2');
  // An unterminated conditional in an included file is reported at its end, not carried over.
  const inc = run('#include "a.h"\n#endif', { readFile: (p) => (p === 'a.h' ? '#if 1\n' : undefined) });
  assert.deepEqual(codes(inc), ['error:pp-unterminated-if', 'error:pp-unmatched']);
});

// ---- #include ----

function fsStub(files: Record<string, string>, reads?: string[]): (p: string) => string | undefined {
  return (p) => { reads?.push(p); return files[p]; };
}

test('#include: relative to the includer, then -I, then built-in headers; <> built-in first', () => {
  const files: Record<string, string> = {
    'src/sub/a.h': '#include "b.h"\na_h',
    'src/sub/b.h': 'b_h',
    'inc/c.h': 'c_h_from_I',
    'inc/linux/sched.h': 'sched_from_I',
    'inc/only_I.h': '#include "../inc2/d.h"',
    'inc2/d.h': 'd_h',
    'src/dir/e.h': 'e_h',
  };
  const builtin = (n: string) => ({ 'linux/sched.h': '#include "types.h"\nsched_builtin', 'linux/types.h': 'types_builtin', 'q.h': 'q_builtin' } as Record<string, string>)[n];
  const r = run(`#include "sub/a.h"
#include "c.h"
#include <linux/sched.h>
#include <only_I.h>
#include "q.h"
#include "dir/../dir/e.h"
#define HDR <c.h>
#include HDR
#define Q "sub/b.h"
#include Q`, { readFile: fsStub(files), includeDirs: ['inc'], builtinHeader: builtin }, 'src/main.c');
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, 'b_h a_h c_h_from_I types_builtin sched_builtin d_h q_builtin e_h c_h_from_I b_h');
  // Built-in headers get a recognizable name.
  assert.ok(r.sources.files.some((f) => f.name === '<linux/sched.h>'));
});

test('#include errors: not found, bad syntax, depth limit, never throws', () => {
  const nf = run('#include "nope.h"\n#include <nope2.h>', { readFile: () => undefined });
  assert.deepEqual(codes(nf), ['error:pp-include-not-found', 'error:pp-include-not-found']);
  assert.equal(nf.list[0]!.message, "'nope.h' file not found");
  assert.equal(pos(nf.list[0]!.loc!), 'main.c:1:10');
  assert.deepEqual(codes(run('#include')), ['error:pp-include-syntax']);
  assert.deepEqual(codes(run('#include foo')), ['error:pp-include-syntax']);
  assert.deepEqual(codes(run('#include ""')), ['error:pp-include-syntax']);
  const self = run('#include "main.c"\nx', { readFile: (p) => (p === 'main.c' ? '#include "main.c"\nx' : undefined) });
  assert.deepEqual(codes(self), ['error:pp-include-depth']);
  assert.equal(self.toks.length - 1, 200);
});

test('include guards and #pragma once: contents appear once', () => {
  const reads: string[] = [];
  const files = {
    'g.h': '// guard\n#ifndef G_H\n#define G_H\nguarded\n#endif\n',
    'o.h': '#pragma once\nonce',
    'n.h': '#ifndef N_H\n#define N_H\nn\n#endif\nafter_guard\n',
    'x.h': 'plain',
  };
  const r = run('#include "g.h"\n#include "g.h"\n#include "o.h"\n#include "o.h"\n#include "n.h"\n#include "n.h"\n#include "x.h"\n#include "x.h"\n#undef G_H\n#include "g.h"',
    { readFile: fsStub(files, reads) });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, 'guarded once n after_guard after_guard plain plain guarded');
  // Each file is read once per compilation, however often it is included.
  assert.deepEqual(reads.sort(), ['g.h', 'n.h', 'o.h', 'x.h']);
});

test('__has_include', () => {
  const r = run('#if __has_include("a.h") && !__has_include("b.h") && __has_include(<linux/bpf.h>) && !__has_include(<nope.h>)\nyes\n#endif',
    { readFile: fsStub({ 'a.h': '' }), builtinHeader: (n) => (n === 'linux/bpf.h' ? '' : undefined) });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, 'yes');
});

test('#include_next continues the search after the current file\'s directory', () => {
  const files = {
    'a/x.h': 'a_x\n#include_next <x.h>',
    'b/x.h': 'b_x\n#if __has_include_next(<x.h>)\n#include_next <x.h>\n#endif',
    'c/x.h': 'c_x\n#if !__has_include_next(<x.h>)\nlast\n#endif',
  };
  const r = run('#include <x.h>', { readFile: fsStub(files), includeDirs: ['a', 'b', 'c'] });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, 'a_x b_x c_x last');
});

test('built-in headers: definitions cached across compilations, located in the header', () => {
  const hdr = '#ifndef T_H\n#define T_H\n#define TWICE(x) \\\n  ((x) * 2)\n#ifdef WANT\n#define EXTRA 1\n#endif\n#endif\n';
  const builtinHeader = (n: string) => (n === 't.h' ? hdr : undefined);
  for (let i = 0; i < 3; i++) {
    const r = run('#include <t.h>\nTWICE(y) EXTRA\n#define TWICE(x) x\n', { builtinHeader, defines: i === 1 ? { WANT: '1' } : {} });
    assert.equal(r.out, i === 1 ? '( ( y ) * 2 ) 1' : '( ( y ) * 2 ) EXTRA');
    const star = r.toks.find((t) => t.text === '*')!;
    assert.equal(pos(star.loc), '<t.h>:4:8');
    assert.equal(star.loc.macro, 'TWICE');
    assert.equal(pos(star.loc.expansion!), 'main.c:2:1');
    assert.match(formatDiagnostic(r.diags.error('test', 'here', star.loc)), /<t\.h>:4:8: error: here\n {2} {2}\(\(x\) \* 2\)\n {2} {7}\^/);
    // The redefinition warning points back into the header.
    assert.deepEqual(codes(r).filter((c) => c !== 'error:test'), ['warning:pp-macro-redefined']);
    assert.equal(pos(r.list[0]!.notes[0]!.loc!), '<t.h>:3:9');
  }
});

// ---- __LINE__, __FILE__, #line ----

test('__LINE__ and __FILE__ across #include, #line and multi-line invocations', () => {
  const files = { 'dir/inc.h': 'inc __FILE__ __LINE__\n\n__LINE__\n' };
  const r = run(`__LINE__ __FILE__
#include "inc.h"
__LINE__ __FILE__
#line 100
__LINE__
#line 200 "other.c"
__LINE__ __FILE__
#define L __LINE__
#define ID(x) x
L ID(
__LINE__)
# 7 "marker.c"
__LINE__ __FILE__ __COUNTER__ __COUNTER__ __INCLUDE_LEVEL__`, { readFile: fsStub(files) }, 'dir/main.c');
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, norm('1 "dir/main.c" inc "dir/inc.h" 1 3 3 "dir/main.c" 100 200 "other.c" 203 204 7 "marker.c" 0 1 0'));
  assert.deepEqual(codes(run('#line x')), ['error:pp-line']);
  assert.deepEqual(codes(run('#line 5 foo')), ['error:pp-line']);
  assert.equal(run('__FILE__', {}, 'a\\b"c.c').toks[0]!.text, String.raw`"a\\b\"c.c"`);
});

// ---- #error, #warning, unknown directives ----

test('#error, #warning and unknown directives', () => {
  const r = run('#error this isn\'t   "fine"\n#warning careful now\n#frobnicate\n# 12abc\n#\n# /* null directive */\nok');
  assert.deepEqual(codes(r), ['error:pp-error', 'warning:pp-warning', 'error:pp-unknown-directive', 'error:pp-line']);
  assert.equal(r.list[0]!.message, 'this isn\'t   "fine"');
  assert.equal(r.list[1]!.message, 'careful now');
  assert.equal(r.list[2]!.message, 'invalid preprocessing directive #frobnicate');
  assert.equal(pos(r.list[0]!.loc!), 'main.c:1:2');
  assert.equal(r.out, 'ok');
  assert.deepEqual(codes(run('#if 0\n#error no\n#endif')), []);
  assert.deepEqual(codes(run('#pragma GCC error "stop"')), ['error:pp-error']);
});

// ---- pragmas ----

test('#pragma and _Pragma become one Pragma token; once is consumed', () => {
  const r = run(`#define N 8
#define UNROLL _Pragma("unroll")
#define LOOP(n) _Pragma("clang loop unroll_count(" #n ")")
#pragma unroll
#pragma   unroll    4
#pragma clang loop unroll(full)
#pragma unroll N
#pragma once
#pragma GCC diagnostic push
UNROLL for
_Pragma("  message(\\"hi\\")  ") x
#pragma pack(push, 1)`);
  assert.equal(r.diags.format(), '');
  const pr = r.toks.filter((t) => t.kind === T.Pragma).map((t) => t.text);
  assert.deepEqual(pr, ['unroll', 'unroll 4', 'clang loop unroll(full)', 'unroll 8', 'GCC diagnostic push', 'unroll', 'message("hi")', 'pack(push, 1)']);
  assert.equal(r.out, 'unroll unroll 4 clang loop unroll(full) unroll 8 GCC diagnostic push unroll for message("hi") x pack(push, 1)');
  // _Pragma's token is located at the _Pragma, through the macro.
  const u = r.toks.find((t) => t.kind === T.Pragma && t.text === 'unroll' && t.loc.expansion)!;
  assert.equal(u.loc.macro, 'UNROLL');
  assert.equal(pos(u.loc.expansion!), 'main.c:10:1');
  assert.deepEqual(codes(run('_Pragma(1)')), ['error:pp-pragma']);
  assert.deepEqual(codes(run('_Pragma')), ['error:pp-builtin-args']);
  expand('#define X 1\n#pragma push_macro("X")\n#undef X\n#define X 2\nX\n#pragma pop_macro("X")\nX', '2 1');
});

// ---- locations ----

test('locations survive macro expansion', () => {
  const text = '#define ADD(a, b) ((a) + (b))\n#define TWICE(x) ADD(x, x)\nint v = ADD(1, y);\nint w = TWICE(z);\n';
  const r = run(text);
  assert.equal(r.diags.format(), '');
  const plus = r.toks.find((t) => t.text === '+')!;
  assert.equal(pos(plus.loc), `main.c:1:${text.indexOf('+') + 1}`);
  assert.equal(plus.loc.length, 1);
  assert.equal(plus.loc.macro, 'ADD');
  assert.equal(pos(plus.loc.expansion!), 'main.c:3:9');
  assert.equal(plus.loc.expansion!.expansion, undefined);
  // Argument tokens keep the location of the user's text.
  const y = r.toks.find((t) => t.text === 'y')!;
  assert.equal(pos(y.loc), `main.c:3:${'int v = ADD(1, '.length + 1}`);
  assert.equal(y.loc.expansion, undefined);
  // Nested: + of ADD, expanded from TWICE's body, expanded from line 4.
  const plus2 = r.toks.filter((t) => t.text === '+')[1]!;
  assert.equal(plus2.loc.macro, 'ADD');
  assert.equal(pos(plus2.loc.expansion!), `main.c:2:${'#define TWICE(x) '.length + 1}`);
  assert.equal(plus2.loc.expansion!.macro, 'TWICE');
  assert.equal(pos(plus2.loc.expansion!.expansion!), 'main.c:4:9');
  const z = r.toks.filter((t) => t.text === 'z');
  assert.equal(z.length, 2);
  for (const t of z) assert.equal(pos(t.loc), 'main.c:4:15');
  // A diagnostic at an expanded token shows the macro note.
  const d = r.diags.error('test', 'bad operand', plus.loc);
  const s = formatDiagnostic(d);
  assert.match(s, /^main\.c:1:24: error: bad operand$/m);
  assert.match(s, /^ {2}#define ADD\(a, b\) \(\(a\) \+ \(b\)\)$/m);
  assert.match(s, /^ {25}\^$/m);
  assert.match(s, /^main\.c:3:9: note: in expansion of macro 'ADD'$/m);
  // The paste result sits where its left operand was; a stringized argument at the #.
  const p = run('#define CAT(a, b) a ## b\n#define S(x) #x\nCAT(foo, bar) S(q)');
  assert.equal(pos(p.toks[0]!.loc), 'main.c:3:5');
  assert.equal(pos(p.toks[1]!.loc), 'main.c:2:14');
  assert.equal(p.toks[1]!.loc.macro, 'S');
});

test('locations through line splices; space and bol flags', () => {
  const text = 'int \\\nab\\\ncd = 1;\n  x y\n#define M \\\n  q\nM';
  const toks = tokenize(new SourceFile(0, 'f.c', text), new Diagnostics());
  const abcd = toks.find((t) => t.text === 'abcd')!;
  assert.equal(pos(abcd.loc), 'f.c:2:1');
  assert.equal(abcd.loc.length, 'ab\\\ncd'.length);
  const x = toks.find((t) => t.text === 'x')!;
  assert.equal(pos(x.loc), 'f.c:4:3');
  assert.ok(x.bol && x.space);
  const y = toks.find((t) => t.text === 'y')!;
  assert.ok(!y.bol && y.space);
  const q = toks.find((t) => t.text === 'q')!;
  assert.equal(pos(q.loc), 'f.c:6:3');
  assert.ok(!q.bol, 'a spliced line continues the previous one');
  const r = run(text);
  assert.equal(r.out, 'int abcd = 1 ; x y q');
  assert.equal(pos(r.toks[r.toks.length - 2]!.loc), 'main.c:6:3');
});

// ---- the lexer ----

test('lexer: token kinds, prefixes, punctuators, digraphs', () => {
  const toks = tokenize(new SourceFile(0, 'f.c', `a _b $c 1 0x1fUL .5e+3 1e-5 0x1p-3 1.2.3 'x' L'y' u'z' U'w' u8'v' "s" L"s" u"s" U"s" u8"s" u8 L
... -> <<= >>= ## # ++ -- && || <= >= == != += -= *= /= %= &= |= ^= << >> <: :> <% %> %: %:%: . ? : ; , ~ !`), new Diagnostics());
  const got = toks.slice(0, -1).map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(got, [
    '1:a', '1:_b', '1:$c', '2:1', '2:0x1fUL', '2:.5e+3', '2:1e-5', '2:0x1p-3', '2:1.2.3',
    "3:'x'", "3:L'y'", "3:u'z'", "3:U'w'", "3:u8'v'", '4:"s"', '4:L"s"', '4:u"s"', '4:U"s"', '4:u8"s"', '1:u8', '1:L',
    '5:...', '5:->', '5:<<=', '5:>>=', '5:##', '5:#', '5:++', '5:--', '5:&&', '5:||', '5:<=', '5:>=', '5:==', '5:!=',
    '5:+=', '5:-=', '5:*=', '5:/=', '5:%=', '5:&=', '5:|=', '5:^=', '5:<<', '5:>>', '5:[', '5:]', '5:{', '5:}', '5:#', '5:##',
    '5:.', '5:?', '5::', '5:;', '5:,', '5:~', '5:!',
  ]);
  const s = tokenize(new SourceFile(0, 'f.c', String.raw`"a\"b" 'c\'' "\\"`), new Diagnostics());
  assert.deepEqual(s.slice(0, -1).map((t) => t.text), [String.raw`"a\"b"`, String.raw`'c\''`, String.raw`"\\"`]);
});

test('lexer errors are diagnostics with locations', () => {
  const d = new Diagnostics();
  tokenize(new SourceFile(0, 'f.c', 'a "open\nb \'x\nc @ ` \\ d /* never closed'), d);
  assert.deepEqual(d.list.map((x) => `${x.code}@${pos(x.loc!)}`), [
    'pp-unterminated-string@f.c:1:3', 'pp-unterminated-char@f.c:2:3', 'pp-stray@f.c:3:3', 'pp-stray@f.c:3:5',
    'pp-stray@f.c:3:7', 'pp-unterminated-comment@f.c:3:11',
  ]);
  // Through the preprocessor: strays are reported when they reach the output, not inside # arguments.
  const r = run('#define S(x) #x\nS(@) a @ b\n#define H #\nH');
  assert.deepEqual(codes(r), ['error:pp-stray', 'error:pp-stray']);
  assert.equal(r.out, '"@" a b');
});

test('literal parsing for #if', () => {
  assert.deepEqual(parseIntegerConstant('0x10u'), { v: 16n, u: true, tooLarge: false, madeUnsigned: false });
  assert.equal(parseIntegerConstant('1lul'), 'invalid suffix "lul" on integer constant');
  assert.equal(parseIntegerConstant('1lL'), 'invalid suffix "lL" on integer constant');
  assert.equal(typeof parseIntegerConstant('1LLu'), 'object');
  assert.deepEqual(parseCharConstant("'\\x41'"), { v: 65n, u: false, multi: false });
  assert.deepEqual(parseCharConstant("'\\101'"), { v: 65n, u: false, multi: false });
  assert.deepEqual(parseCharConstant("'é'"), { v: BigInt(((0xc3 << 8) | 0xa9)), u: false, multi: true });
  assert.deepEqual(parseCharConstant("L'é'"), { v: 0xe9n, u: false, multi: false });
});

// ---- options and predefined macros ----

test('-D, -U, predefined macros, LINUX_VERSION_CODE and KERNEL_VERSION', () => {
  const r = run(`FOO BAR SQ(3) __bpf__ __BPF_TRACING__ __STDC_VERSION__ __x86_64__ __KERNEL__ __SIZEOF_POINTER__ __CHAR_BIT__
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && __LP64__ && __GNUC__ >= 4 && __clang__ && __SIZEOF_INT128__ == 16 && __STDC__
little
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0) && LINUX_VERSION_CODE == 0x060c05 && KERNEL_VERSION(4, 19, 300) == 0x0413ff
new_kernel
#endif
#ifdef __BPF__
#error -U did not apply
#endif`, {
    predefined: true, linuxVersionCode: 0x060c05, kernelConfig: new Map(),
    defines: { FOO: '7', BAR: undefined, 'SQ(x)': '((x)*(x))' }, undefines: ['__BPF__'],
  });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, norm('7 1 ((3)*(3)) 1 1 201112L 1 1 8 8 little new_kernel'));
  // Without predefined macros, only the standard operators and dynamic macros exist.
  assert.equal(run('__bpf__ LINUX_VERSION_CODE __LINE__').out, '__bpf__ LINUX_VERSION_CODE 1');
  // The running kernel's version code.
  const code = runningKernelVersionCode();
  assert.ok(code > 0x030000, code.toString(16));
  assert.equal(run('LINUX_VERSION_CODE', { predefined: true, kernelConfig: new Map() }).out, String(code));
  // Bad -D values are diagnosed with a location in <command line>.
  const bad = run('x', { defines: { 'F(': '1' } });
  assert.deepEqual(codes(bad), ['error:pp-macro-params']);
  assert.equal(bad.list[0]!.loc!.file.name, '<command line>');
  // Redefining a predefined macro warns.
  assert.deepEqual(codes(run('#define __bpf__ 2', { predefined: true, kernelConfig: new Map() })), ['warning:pp-macro-redefined']);
  assert.ok(SUPPORTED_BUILTINS.has('__builtin_preserve_access_index'));
});

test('kernel config: CONFIG_* macros, =m as _MODULE, unset options undefined', () => {
  const cfg = parseKernelConfig(`#
# Automatically generated file; DO NOT EDIT.
CONFIG_NET_NS=y
CONFIG_EXT4_FS=m
CONFIG_HZ=250
CONFIG_LOCALVERSION="-test"
CONFIG_PHYSICAL_START=0x1000000
# CONFIG_KPROBES is not set
CONFIG_DISABLED=n
`);
  assert.deepEqual([...cfg], [
    ['CONFIG_NET_NS', '1'], ['CONFIG_EXT4_FS_MODULE', '1'], ['CONFIG_HZ', '250'], ['CONFIG_LOCALVERSION', '"-test"'],
    ['CONFIG_PHYSICAL_START', '0x1000000'],
  ]);
  const r = run(`#ifdef CONFIG_NET_NS
netns
#endif
#if defined(CONFIG_EXT4_FS_MODULE) && !defined(CONFIG_EXT4_FS) && !defined(CONFIG_KPROBES) && !defined(CONFIG_DISABLED)
ext4m
#endif
#if CONFIG_HZ > 100
CONFIG_HZ CONFIG_LOCALVERSION CONFIG_PHYSICAL_START
#endif`, { predefined: true, kernelConfig: cfg, linuxVersionCode: 1 });
  assert.equal(r.diags.format(), '');
  assert.equal(r.out, 'netns ext4m 250 "-test" 0x1000000');
  // The running kernel's configuration (whatever it is on this machine): a cached map.
  const live = readKernelConfig();
  assert.equal(readKernelConfig(), live);
  assert.equal(kernelConfigFound(), live.size > 0);
});

// ---- speed ----

/** A ~300-line BCC-style tracing program with macros. */
function benchProgram(): string {
  const lines: string[] = [
    '#include <uapi/linux/ptrace.h>',
    '#include <linux/sched.h>',
    '#define TASK_COMM_LEN 16',
    '#define MAX_ENTRIES 10240',
    '#define likely(x) __builtin_expect(!!(x), 1)',
    '#define unlikely(x) __builtin_expect(!!(x), 0)',
    '#define min(a, b) ((a) < (b) ? (a) : (b))',
    '#define max(a, b) ((a) > (b) ? (a) : (b))',
    '#define BPF_HASH(name, k, v) struct { k key; v value; } name SEC(".maps")',
    '#define SEC(s) __attribute__((section(s), used))',
    '#define bpf_printk(fmt, ...) ({ char ____fmt[] = fmt; bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__); })',
    '#define READ(dst, src) bpf_probe_read_kernel(&(dst), sizeof(dst), &(src))',
    '#define FIELD(s, f) READ(val_##f, (s)->f)',
    '#define STR(x) #x',
    '#define CAT(a, b) a##b',
    '#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0) && defined(__bpf__)',
    '#define HAVE_RINGBUF 1',
    '#else',
    '#define HAVE_RINGBUF 0',
    '#endif',
    '#ifdef CONFIG_NET_NS',
    '#define NETNS 1',
    '#endif',
    '',
    'struct data_t {',
    '    u32 pid;',
    '    u64 ts;',
    '    char comm[TASK_COMM_LEN];',
    '};',
  ];
  let i = 0;
  while (lines.length < 290) {
    lines.push(
      `BPF_HASH(map_${i}, u32, u64);`,
      `static __always_inline int helper_${i}(struct pt_regs *ctx, u64 a, u64 b) {`,
      `    u64 v = max(a, b) + min(a, CAT(MAX_, ENTRIES));`,
      `    u32 pid = bpf_get_current_pid_tgid() >> 32;`,
      `    if (unlikely(v > MAX_ENTRIES)) { bpf_printk("big %d\\n", v); return 0; }`,
      `    if (likely(pid != 0)) bpf_printk("pid " STR(${i}) "\\n");`,
      `#if HAVE_RINGBUF`,
      `    u64 *p = map_${i}.lookup(&pid); if (p) { *p += v; }`,
      `#else`,
      `    map_${i}.increment(pid);`,
      `#endif`,
      `    return v & 0xff; /* comment ${i} */`,
      `}`,
      '',
    );
    i++;
  }
  return lines.join('\n') + '\n';
}

test('speed: a 300-line program with macros (printed, not asserted)', () => {
  const text = benchProgram();
  const opts: PreprocessOptions = {
    predefined: true, linuxVersionCode: 0x060c00, kernelConfig: new Map([['CONFIG_NET_NS', '1']]),
    builtinHeader: (n) => (n === 'linux/sched.h' ? '#ifndef SCHED_H\n#define SCHED_H\n#define TASK_RUNNING 0\n#endif\n' : ''),
  };
  const once = () => {
    const sources = new SourceSet();
    const main = sources.add('prog.c', text);
    const diags = new Diagnostics();
    const toks = preprocess(sources, main, diags, opts);
    return { toks, diags };
  };
  const first = once();
  assert.equal(first.diags.format(), '');
  assert.ok(first.toks.length > 3000);
  for (let i = 0; i < 200; i++) once();
  const n = 1000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`preprocess: ${text.split('\n').length} lines -> ${first.toks.length} tokens in ${us.toFixed(1)} µs per run (${n} runs)`);
});

// ---- robustness ----

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOUP = [
  '#', '##', '#define', '#undef', '#if', '#ifdef', '#ifndef', '#elif', '#else', '#endif', '#include', '#line', '#error', '#pragma',
  'define', 'defined', 'include', 'if', 'endif', '(', ')', '(', ')', ',', ',', '...', '__VA_ARGS__', '__VA_OPT__', 'A', 'B', 'f', 'g',
  'x', 'y', '1', '0', '0x', '1.5', '"s"', '"h.h"', "'c'", "'", '"', '<', '>', '<h.h>', '+', '-', '*', '/', '%', '?', ':', '&&', '||',
  '!', '~', '<<', '>>', '==', '_Pragma', '_Pragma("x")', 'pragma', 'once', '__LINE__', '__FILE__', '__COUNTER__', '__has_include',
  '__has_builtin', '/*', '*/', '//', '\\', '\n', '\n', '\n', '\n', '\\\n', ' ', ' ', '@', '$', 'L"w"', 'u8', '%:', '<:', '\t',
  '9999999999999999999999', '-1', 'unroll', 'push_macro("A")', 'pop_macro("A")',
];

test('bad input never throws: random bytes, token soups, mutated programs', () => {
  const rand = prng(12345);
  const pick = <X>(a: X[]): X => a[Math.floor(rand() * a.length)]!;
  const soup = (n: number) => { let s = ''; for (let i = 0; i < n; i++) s += pick(SOUP) + (rand() < 0.5 ? ' ' : ''); return s; };
  const bytes = (n: number) => { let s = ''; for (let i = 0; i < n; i++) s += String.fromCharCode(rand() < 0.7 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 256)); return s; };
  const program = benchProgram();
  const inputs: string[] = [];
  for (let i = 0; i < 250; i++) inputs.push(bytes(Math.floor(rand() * 300)));
  for (let i = 0; i < 350; i++) inputs.push(soup(Math.floor(rand() * 120)));
  for (let i = 0; i < 100; i++) {
    let s = program;
    for (let k = 0; k < 10; k++) {
      const at = Math.floor(rand() * s.length);
      const len = Math.floor(rand() * 40);
      s = rand() < 0.5 ? s.slice(0, at) + s.slice(at + len) : s.slice(0, at) + pick(SOUP) + s.slice(at);
    }
    inputs.push(s);
  }
  const started = Date.now();
  for (const [i, text] of inputs.entries()) {
    const headers = new Map<string, string>();
    const content = (p: string) => { if (!headers.has(p)) headers.set(p, rand() < 0.2 ? soup(30) : rand() < 0.5 ? text : ''); return headers.get(p); };
    const sources = new SourceSet();
    const main = sources.add('fuzz.c', text);
    const diags = new Diagnostics();
    let toks: Token[] = [];
    assert.doesNotThrow(() => {
      toks = preprocess(sources, main, diags, {
        predefined: i % 2 === 0, kernelConfig: new Map([['CONFIG_A', '1']]), linuxVersionCode: 0x60000,
        readFile: content, builtinHeader: (n) => (n.endsWith('.h') ? content('<' + n) : undefined),
      });
    }, `input ${i}: ${JSON.stringify(text)}`);
    assert.equal(toks[toks.length - 1]?.kind, T.EOF, `input ${i}`);
    const internal = diags.list.filter((d) => d.code === 'pp-internal');
    assert.deepEqual(internal.map((d) => d.message), [], `input ${i}: ${JSON.stringify(text)}`);
    // Every diagnostic can be formatted.
    for (const d of diags.list) formatDiagnostic(d);
  }
  assert.ok(Date.now() - started < 20_000, 'fuzz run stays quick');
});

test('many errors stop at the limit without throwing; exponential macros are cut off', () => {
  const sources = new SourceSet();
  const main = sources.add('m.c', '@\n'.repeat(500));
  const diags = new Diagnostics(10);
  const toks = preprocess(sources, main, diags, { predefined: false });
  assert.equal(toks[toks.length - 1]!.kind, T.EOF);
  assert.equal(diags.errorCount, 10);
  let defs = '#define M0 x\n';
  for (let i = 1; i <= 30; i++) defs += `#define M${i} M${i - 1} M${i - 1}\n`;
  const r = run(defs + 'M30');
  assert.ok(codes(r).includes('error:pp-expansion-limit'));
});

// ---- GCC's cpp as an oracle (skipped where it is not installed) ----

function cpp(args: string[], input: string): { out: string; err: string } | undefined {
  const r = spawnSync('cpp', [...args, '-'], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status === null) return undefined;
  return { out: r.stdout, err: r.stderr };
}
const HAVE_CPP = cpp(['-P'], 'x') !== undefined;

test('oracle: random macro programs expand as GCC expands them', { skip: !HAVE_CPP && 'cpp not installed' }, () => {
  const rand = prng(777);
  const pick = <X>(a: X[]): X => a[Math.floor(rand() * a.length)]!;
  const names = ['A', 'B', 'C', 'D', 'E', 'F'];
  let compared = 0;
  const N = 150;
  for (let n = 0; n < N; n++) {
    const lines: string[] = [];
    for (const nm of names) {
      const k = Math.floor(rand() * 4) - 1;
      const params = k < 0 ? [] : ['x', 'y', 'z'].slice(0, k);
      const body: string[] = [];
      const len = Math.floor(rand() * 6);
      for (let i = 0; i < len; i++) {
        const r = rand();
        if (r < 0.3 && params.length) body.push(pick(params));
        else if (r < 0.55) body.push(pick(names));
        else if (r < 0.7) body.push(pick(['(', ')', ',', '1', '+']));
        else if (r < 0.78 && params.length) body.push('#' + pick(params));
        else if (r < 0.86 && i > 0 && i < len - 1) body.push('##');
        else body.push(pick(['(', 'q', ')']));
      }
      lines.push(`#define ${nm}${k >= 0 ? '(' + params.join(',') + ')' : ''} ${body.join(' ')}`);
    }
    const use: string[] = [];
    for (let i = 0; i < 8; i++) use.push(pick([...names, '(', ')', ',', 'w', '1']));
    lines.push(use.join(' '));
    const src = lines.join('\n') + '\n';
    const g = cpp(['-P'], src)!;
    // Programs GCC complains about (bad pastes, wrong argument counts) are not compared.
    if (/error/.test(g.err)) continue;
    compared++;
    const r = run(src);
    assert.equal(r.out, norm(g.out), src);
  }
  assert.ok(compared > N / 2, `compared ${compared}`);
});

test('oracle: random #if expressions evaluate as GCC evaluates them', { skip: !HAVE_CPP && 'cpp not installed' }, () => {
  const rand = prng(4242);
  const pick = <X>(a: X[]): X => a[Math.floor(rand() * a.length)]!;
  const atoms = ['0', '1', '2', '7', '-1', '63', '64', '0u', '1u', '0xffffffffffffffff', '0x7fffffffffffffff', '18446744073709551615u',
    "'a'", "'\\377'", '-100', '5ll', '3ul', 'X', 'defined X', 'defined(Y)', '(0x8000000000000000)'];
  const ops = ['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];
  const expr = (d: number): string => {
    const r = rand();
    if (d > 4 || r < 0.25) return pick(atoms);
    if (r < 0.4) return pick(['-', '~', '!', '+']) + '(' + expr(d + 1) + ')';
    if (r < 0.5) return `(${expr(d + 1)} ? ${expr(d + 1)} : ${expr(d + 1)})`;
    return `(${expr(d + 1)} ${pick(ops)} ${expr(d + 1)})`;
  };
  const exprs = Array.from({ length: 1500 }, () => expr(0));
  const src = '#define X 5\n' + exprs.map((e, i) => `#if ${e}\nr${i}_1\n#else\nr${i}_0\n#endif`).join('\n') + '\n';
  const g = cpp(['-P'], src)!;
  const gccErr = new Set([...g.err.matchAll(/<stdin>:(\d+):\d+: error/g)].map((m) => Number(m[1])));
  const results = (s: string) => new Map([...s.matchAll(/r(\d+)_(\d)/g)].map((m) => [Number(m[1]), m[2]]));
  const r = run(src);
  const myErr = new Set(r.list.filter((d) => d.severity === 'error').map((d) => d.loc!.file.position(d.loc!.offset).line));
  const theirs = results(g.out), mine = results(r.out);
  let compared = 0;
  exprs.forEach((e, i) => {
    const line = 2 + i * 5;
    assert.equal(myErr.has(line), gccErr.has(line), `error agreement: #if ${e}`);
    if (gccErr.has(line)) return;
    compared++;
    assert.equal(mine.get(i), theirs.get(i), `#if ${e}`);
  });
  assert.ok(compared > 1000);
});

test('oracle: system headers preprocess to the same tokens as GCC\'s', { skip: !HAVE_CPP && 'cpp not installed' }, () => {
  const dirs = ['/usr/lib/gcc/x86_64-linux-gnu/12/include', '/usr/include', '/usr/include/x86_64-linux-gnu'].filter((d) => fs.existsSync(d));
  const headers = ['linux/bpf.h', 'linux/ptrace.h', 'linux/perf_event.h', 'linux/pkt_cls.h', 'linux/if_ether.h', 'stdio.h', 'stdint.h', 'signal.h']
    .filter((h) => dirs.some((d) => fs.existsSync(path.join(d, h))));
  if (!headers.length) return;
  const defines: Record<string, string> = {
    __STDC__: '1', __STDC_VERSION__: '201710L', __STDC_HOSTED__: '1', __x86_64__: '1', __LP64__: '1', __CHAR_BIT__: '8',
    __SIZEOF_LONG__: '8', __SIZEOF_POINTER__: '8', __linux__: '1', __SIZE_TYPE__: 'long unsigned int', __PTRDIFF_TYPE__: 'long int',
    __WCHAR_TYPE__: 'int', __GNUC__: '12', __GNUC_MINOR__: '2', __INT64_TYPE__: 'long int', __UINT64_TYPE__: 'long unsigned int',
    __INT32_TYPE__: 'int', __UINT32_TYPE__: 'unsigned int', __INT16_TYPE__: 'short int', __UINT16_TYPE__: 'short unsigned int',
    __INT8_TYPE__: 'signed char', __UINT8_TYPE__: 'unsigned char', __INTMAX_TYPE__: 'long int', __UINTMAX_TYPE__: 'long unsigned int',
  };
  const src = headers.map((h) => `#include <${h}>`).join('\n') + '\n';
  const g = cpp(['-P', '-undef', '-nostdinc', '-std=c17', ...dirs.flatMap((d) => ['-I', d]), ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`)], src)!;
  if (/error/.test(g.err)) return; // an unusual system: nothing to compare against
  const theirs = norm(g.out.split('\n').filter((l) => !/^\s*#\s*pragma/.test(l)).join('\n'));
  const sources = new SourceSet();
  const main = sources.add('headers.c', src);
  const diags = new Diagnostics();
  const toks = preprocess(sources, main, diags, { predefined: false, includeDirs: dirs, defines });
  assert.equal(diags.format(), '');
  const mine = toks.slice(0, -1).filter((t) => t.kind !== T.Pragma).map((t) => t.text).join(' ');
  assert.ok(mine.length > 10000);
  assert.equal(mine, theirs);
});
