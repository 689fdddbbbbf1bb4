// The parser: declarations, declarators, statements and the expression grammar, plus error recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceSet } from '../../src/compiler/source.js';
import { Diagnostics, formatDiagnostic } from '../../src/compiler/diagnostics.js';
import { preprocess } from '../../src/compiler/preprocess/index.js';
import { parse } from '../../src/compiler/parse/parser.js';
import type { Expr, TranslationUnit, Decl, Stmt, TypeExpr } from '../../src/compiler/parse/ast.js';

function parseText(text: string, typedefs: string[] = ['u32', 'u64', 'u8', 'size_t']): { tu: TranslationUnit; diags: Diagnostics } {
  const sources = new SourceSet();
  const main = sources.add('test.c', text);
  const diags = new Diagnostics();
  const toks = preprocess(sources, main, diags, { predefined: false });
  const tu = parse(toks, diags, { typedefs });
  return { tu, diags };
}

function ok(text: string, typedefs?: string[]): TranslationUnit {
  const { tu, diags } = parseText(text, typedefs);
  assert.equal(diags.format(), '', 'unexpected diagnostics');
  return tu;
}

/** Fully parenthesized form of an expression, to check precedence and associativity. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'int': return String(e.value);
    case 'ident': return e.name;
    case 'char': return `'${e.value}'`;
    case 'string': return JSON.stringify(Buffer.from(e.bytes).toString());
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'assign': return `(${show(e.target)} ${e.op} ${show(e.value)})`;
    case 'unary': return `(${e.op}${show(e.operand)})`;
    case 'postfix': return `(${show(e.operand)}${e.op})`;
    case 'cond': return `(${show(e.test)} ? ${e.then ? show(e.then) : ''} : ${show(e.else)})`;
    case 'call': return `${show(e.callee)}(${e.args.map(show).join(', ')})`;
    case 'member': return `${show(e.object)}${e.arrow ? '->' : '.'}${e.name}`;
    case 'index': return `${show(e.object)}[${show(e.index)}]`;
    case 'cast': return `((${showType(e.type)}) ${show(e.operand)})`;
    case 'sizeof': return e.type ? `sizeof(${showType(e.type)})` : `sizeof ${show(e.operand!)}`;
    case 'comma': return `(${show(e.left)}, ${show(e.right)})`;
    case 'stmtexpr': return `({...})`;
    case 'offsetof': return `offsetof(${showType(e.type)}, ${e.path.map((p) => (p.kind === 'field' ? p.name : `[${show(p.index)}]`)).join('.')})`;
    case 'compound': return `(${showType(e.type)}){...}`;
    default: return e.kind;
  }
}

function showType(t: TypeExpr): string {
  const q = (t.quals.const ? 'const ' : '') + (t.quals.volatile ? 'volatile ' : '');
  switch (t.kind) {
    case 'builtin': return q + t.name;
    case 'typedef': return q + t.name;
    case 'record': return `${q}${t.tag} ${t.name ?? '<anon>'}`;
    case 'enum': return `${q}enum ${t.name ?? '<anon>'}`;
    case 'ptr': return `${q}ptr(${showType(t.to)})`;
    case 'array': return `array(${showType(t.of)}, ${t.size ? show(t.size) : ''})`;
    case 'func': return `func(${t.params.map((p) => showType(p.type)).join(', ')}${t.variadic ? ', ...' : ''}) -> ${showType(t.ret)}`;
    case 'typeof': return `typeof(${t.expr ? show(t.expr) : t.type ? showType(t.type) : ''})`;
  }
}

const exprOf = (src: string) => {
  const tu = ok(`void f(void) { ${src}; }`);
  const body = (tu.items[0] as Decl).body!.body;
  return show((body[0] as Stmt & { kind: 'expr' }).expr);
};

test('expression precedence and associativity', () => {
  const cases: [string, string][] = [
    ['a + b * c', '(a + (b * c))'],
    ['a - b - c', '((a - b) - c)'],
    ['a = b = c', '(a = (b = c))'],
    ['a << 2 + 1', '(a << (2 + 1))'],
    ['a & b == c', '(a & (b == c))'],
    ['a || b && c | d ^ e & f', '(a || (b && (c | (d ^ (e & f)))))'],
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a ?: b', '(a ?  : b)'],
    ['-a++', '(-(a++))'],
    ['*p->q[1].r', '(*p->q[1].r)'],
    ['!~-+x', '(!(~(-(+x))))'],
    ['(u32)x >> 3', '(((u32) x) >> 3)'],
    ['sizeof(u64) * 2', '(sizeof(u64) * 2)'],
    ['sizeof x + 1', '(sizeof x + 1)'],
    ['sizeof(x) + 1', '(sizeof x + 1)'],
    ['a += b, c', '((a += b), c)'],
    ['f(a, (b, c))', 'f(a, (b, c))'],
    ['&((struct s *)0)->m', '(&((ptr(struct s)) 0)->m)'],
    ['x = ({ int y = 1; y; })', '(x = ({...}))'],
    ['__builtin_offsetof(struct s, a.b[2])', 'offsetof(struct s, a.b.[2])'],
    ["c = 'a' + '\\n'", "(c = ('97' + '10'))"],
    ['"ab" "cd"', '"abcd"'],
    ['0x10UL + 010 + 0b11', '((16 + 8) + 3)'],
    ['(struct pt){ .x = 1 }.x', '(struct pt){...}.x'],
  ];
  for (const [src, want] of cases) assert.equal(exprOf(src), want, src);
});

test('declarators: pointers, arrays, functions, function pointers', () => {
  const tu = ok(`
    int *a[3];
    int (*b)[3];
    int (*fp)(int, char *);
    void (*signal(int sig, void (*handler)(int)))(int);
    const char *const names[] = { "x", "y" };
    unsigned long long v;
    static inline int add(int x, int y) { return x + y; }
    struct s { int x: 3, : 0; unsigned y: 5; struct { int in; }; union { u32 a; u64 b; } u; } __attribute__((packed));
    typedef struct s s_t;
    s_t g;
    enum color { RED, GREEN = 5, BLUE };
    int f(void), h();
    char buf[2][16];
  `);
  const d = (name: string) => tu.items.find((i) => i.kind === 'decl' && i.name === name) as Decl;
  assert.equal(showType(d('a').type), 'array(ptr(int), 3)');
  assert.equal(showType(d('b').type), 'ptr(array(int, 3))');
  assert.equal(showType(d('fp').type), 'ptr(func(int, ptr(char)) -> int)');
  assert.equal(showType(d('signal').type), 'func(int, ptr(func(int) -> void)) -> ptr(func(int) -> void)');
  assert.equal(showType(d('names').type), 'array(const ptr(const char), )');
  assert.equal(showType(d('v').type), 'unsigned long long');
  assert.equal(d('add').inline, true);
  assert.equal(d('add').storage, 'static');
  assert.ok(d('add').body);
  assert.equal(d('s_t').storage, 'typedef');
  assert.equal(showType(d('g').type), 's_t');
  assert.equal(showType(d('f').type), 'func() -> int');
  assert.equal((d('h').type as { noProto: boolean }).noProto, true);
  assert.equal(showType(d('buf').type), 'array(array(char, 16), 2)');
  const s = tu.items.find((i) => i.kind === 'tag' && i.type.kind === 'record' && i.type.name === 's')!;
  const members = (s as { type: { members: { name?: string; bitWidth?: Expr }[]; attrs: { name: string }[] } }).type;
  assert.deepEqual(members.members.map((m) => m.name ?? '<anon>'), ['x', '<anon>', 'y', '<anon>', 'u']);
  assert.equal(members.attrs[0]!.name, 'packed');
  const e = tu.items.find((i) => i.kind === 'tag' && i.type.kind === 'enum') as { type: { values: { name: string }[] } };
  assert.deepEqual(e.type.values.map((v) => v.name), ['RED', 'GREEN', 'BLUE']);
});

test('statements: control flow, labels, switch, loops with unroll pragmas', () => {
  const tu = ok(`
    int f(int n) {
      int i, s = 0;
      #pragma unroll
      for (i = 0; i < 4; i++) s += i;
      for (int j = 0; j < n; j++) { if (j & 1) continue; else s++; }
      while (n--) { if (n == 3) break; }
      do { s--; } while (s > 100);
      switch (n) { case 1: case 2 ... 4: s = 1; break; default: s = 2; }
    out:
      if (s) goto out;
      asm volatile("" ::: "memory");
      return s;
    }`);
  const body = (tu.items[0] as Decl).body!.body;
  assert.deepEqual(body.map((s) => s.kind), ['decl', 'for', 'for', 'while', 'dowhile', 'switch', 'label', 'asm', 'return']);
  assert.deepEqual((body[1] as { hints: unknown }).hints, { unroll: 'full' });
  assert.deepEqual((body[2] as { hints: unknown }).hints, {});
});

test('typedef names versus identifiers, by scope', () => {
  const tu = ok(`
    typedef int T;
    int f(void) { T x = 1; { int T = 2; x = T * 3; } return x; }
  `);
  assert.equal(tu.items.length, 2);
});

test('syntax errors are located, several per run, and never throw', () => {
  const { diags } = parseText(`
    int f(void) {
      int a = ;
      return 1
    }
    int g(void) { return (1 + ; }
    struct { int x } y;
    int ok(void) { return 0; }
  `);
  const msgs = diags.list.map((d) => `${d.loc!.file.position(d.loc!.offset).line}: ${d.message}`);
  assert.ok(diags.errorCount >= 3, msgs.join('\n'));
  assert.match(msgs[0]!, /^3: expected an expression, found ';'/);
  assert.ok(msgs.some((m) => /^4: expected ';' after 'return'$/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^6: expected an expression/.test(m)), msgs.join('\n'));
  const text = formatDiagnostic(diags.list[0]!);
  assert.match(text, /^test\.c:3:15: error: expected an expression, found ';'\n {8}int a = ;\n {16}\^$/);
});

test('unknown type names are reported as such', () => {
  const { diags } = parseText('foo_t x; int y;', []);
  assert.equal(diags.list[0]!.message, "unknown type name 'foo_t'");
});
