// The code generation quality corpus (test/corpus/codegen): tool-shaped libbpf-style programs that
// bench/codegen_clang.ts compiles with tsbcc and clang to compare instruction counts. Every one
// must check cleanly in tsbcc's front end against the running kernel's BTF, and clang's object of
// it must load into the running kernel (so the benchmark compares programs the verifier accepts).
// A program whose type cannot load on this kernel says so in its header comment
// ("cannot load here: <reason>"); its load test is skipped with that reason if the load fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir, availableParallelism } from 'node:os';
import { join, basename } from 'node:path';
import { Btf } from '../../src/btf/reader.js';
import { corpusFiles, checkClean } from '../fixtures/corpus.js';
import { clangArgs, clangUnavailable, countBpfInsns, vmlinuxHeaderDir } from '../../bench/codegen_clang.js';

const files = corpusFiles('codegen');
const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
const root = process.getuid?.() === 0;

/** Valid C (clang accepts it, libbpf's headers allow it) that tsbcc's front end currently
 * diagnoses. Those diagnostics mark the test todo (reported, not failing); any other diagnostic
 * fails it. Remove an entry once the front end is fixed. */
const KNOWN_FRONTEND_BUGS: Record<string, { diagnostic: RegExp; why: string }> = {};

test('codegen corpus: at least 20 programs', () => {
  assert.ok(files.length >= 20, `${files.length} programs`);
});

for (const file of files) {
  const name = basename(file);
  test(`codegen corpus ${name}: tsbcc front end checks it cleanly against vmlinux BTF`, { skip: !haveBtf && 'no kernel BTF' }, (t) => {
    const known = KNOWN_FRONTEND_BUGS[name];
    const diags = checkClean(file, { btf: Btf.vmlinux() });
    assert.deepEqual(diags.filter((d) => !known?.diagnostic.test(d)), []);
    if (known && diags.length) t.todo(`known front-end bug: ${known.why}`);
  });
}

// ---- clang's objects load into the running kernel ----

const clangMissing = clangUnavailable();
function bpffsReady(): boolean {
  const mounted = () => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  if (mounted()) return true;
  spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
  return mounted();
}
const loadSkip = clangMissing ?? (!root ? 'needs root' : spawnSync('bpftool', ['version']).status !== 0 ? 'bpftool missing' : !bpffsReady() ? 'no bpffs at /sys/fs/bpf' : undefined);

let includeDir: string | undefined;
let objDir: string | undefined;
/** Each program's object (or clang's error), compiled in parallel before the load tests. */
const objects = new Map<string, { obj?: string; error?: string }>();

function run(cmd: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

before(async () => {
  if (clangMissing) return;
  includeDir = vmlinuxHeaderDir();
  objDir = mkdtempSync(join(tmpdir(), 'tsbcc-codegen-corpus-'));
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const obj = join(objDir!, basename(f, '.c') + '.o');
      const r = await run('clang', clangArgs(f, obj, includeDir!));
      objects.set(f, r.status === 0 ? { obj } : { error: r.stderr });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, availableParallelism()) }, worker));
});

after(() => {
  if (objDir) rmSync(objDir, { recursive: true, force: true });
  if (includeDir) rmSync(includeDir, { recursive: true, force: true });
});

function cannotLoadHere(file: string): string | undefined {
  const m = /cannot load here:([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'));
  return m ? m[1]!.replace(/\n\s*\*/g, ' ').replace(/\s+/g, ' ').trim() : undefined;
}

for (const file of files) {
  const name = basename(file, '.c');
  test(`codegen corpus ${name}.c: clang -O2 -target bpf compiles it and the object loads (bpftool prog loadall)`, { skip: loadSkip }, (t) => {
    const o = objects.get(file);
    assert.ok(o?.obj, `clang failed:\n${o?.error}`);
    const pin = `/sys/fs/bpf/tsbcc_cg_${name}_${process.pid}`;
    try {
      const r = spawnSync('bpftool', ['prog', 'loadall', o.obj, pin], { encoding: 'utf8' });
      if (r.status !== 0) {
        const reason = cannotLoadHere(file);
        if (reason) { t.skip(reason); return; }
        const log = (r.stderr + r.stdout).split('\n').filter((l) => !/^\s*\d+: /.test(l)).slice(-25).join('\n');
        assert.fail(`bpftool prog loadall failed:\n${log}`);
      }
      assert.ok(existsSync(pin));
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
  });
}

test('codegen corpus: the benchmark counts instructions like llvm-objdump', {
  skip: loadSkip ?? (spawnSync('llvm-objdump', ['--version']).status !== 0 && 'llvm-objdump missing'),
}, () => {
  for (const file of files.slice(0, 5)) {
    const obj = objects.get(file)?.obj;
    assert.ok(obj);
    const dis = spawnSync('llvm-objdump', ['-d', '--no-show-raw-insn', obj], { encoding: 'utf8' }).stdout;
    const expected = new Map<string, { insns: number; slots: number }>();
    let section = '';
    for (const line of dis.split('\n')) {
      const sec = /^Disassembly of section (.*):$/.exec(line);
      if (sec) { section = sec[1]!; continue; }
      if (!/^\s*\d+:\t/.test(line)) continue;
      const e = expected.get(section) ?? { insns: 0, slots: 0 };
      e.insns++;
      e.slots += / ll$/.test(line) ? 2 : 1;
      expected.set(section, e);
    }
    const got = new Map(countBpfInsns(readFileSync(obj)).map((s) => [s.section, { insns: s.insns, slots: s.slots }]));
    assert.deepEqual(got, expected, basename(file));
  }
});
