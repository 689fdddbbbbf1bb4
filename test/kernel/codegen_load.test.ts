// Verifier acceptance: the tool-shaped corpus compiled by tsbcc itself loads into the running kernel.
// Programs the code generator cannot handle yet are listed with the reason.
// Kernel memory reached through pointers in kprobe/tracepoint programs is read with bpf_probe_read_kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { compileObject } from '../../src/compiler/object.js';
import { loadObject } from '../../src/load/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features } from '../../src/sys/index.js';
import { haveTrampolines } from '../../src/attach/index.js';
import { corpusFiles } from '../fixtures/corpus.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

const NOT_YET: Record<string, string> = haveTrampolines() ? {} : {
  'vfsstat.c': 'this kernel refuses fentry/fexit programs (EPERM); test/vm/fentry.test.ts runs it in the VM',
};

for (const file of corpusFiles('codegen')) {
  const name = basename(file);
  const todo = NOT_YET[name];
  test(`tsbcc compiles ${name} and the verifier accepts it`, { skip, todo }, () => {
    const spec = compileObject(readFileSync(file, 'utf8'), { filename: file, btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
    assert.ok(spec.programs.length > 0);
    using obj = loadObject(spec);
    for (const p of spec.programs) assert.ok(obj.program(p.name).info().xlatedLen > 0);
  });
}
