#!/usr/bin/env node
// The tsbcc command: small, useful views of what the kernel offers. Tools arrive as subcommands.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { features, ProgType, MapType, kernelVersion, NotSupportedError } from './sys/index.js';
import { haveTrampolines, haveBpfLsm } from './attach/fentry.js';
import { HELPERS } from './isa/helpers.js';
import { btfCommand, BTF_USAGE } from './btf/cli.js';
import { frontend } from './compiler/frontend.js';
import { formatDiagnostic } from './compiler/diagnostics.js';
import { readKernelConfig } from './compiler/preprocess/kconfig.js';
import { Btf } from './btf/reader.js';
import { existsSync } from 'node:fs';
import { compileCommand, COMPILE_USAGE } from './compiler/dialect/cli.js';

const USAGE = `usage: tsbcc <command> [options]

commands:
  features [--json]           what this kernel supports: program types, map types, links, helpers
${BTF_USAGE}
  check FILE [-D NAME[=V]] [-I DIR] [--no-btf]
                              check a BPF C program (preprocess, parse, type-check against this
                              kernel's BTF) and print its diagnostics
${COMPILE_USAGE}
  version                     print the tsbcc version

examples:
  tsbcc features
  tsbcc features --json | jq '.mapTypes.RINGBUF'
  tsbcc btf struct task_struct --offsets
  tsbcc btf func vfs_read
  tsbcc btf tracepoint sched_switch
  tsbcc check prog.bpf.c -D TARGET_PID=42
  tsbcc compile opensnoop.c --load
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function probe<T extends string>(names: readonly T[], fn: (n: T) => boolean): Record<T, boolean | string> {
  const out = {} as Record<T, boolean | string>;
  for (const n of names) {
    try {
      out[n] = fn(n);
    } catch (e) {
      out[n] = e instanceof NotSupportedError ? false : `unknown (${(e as Error).message})`;
    }
  }
  return out;
}

function featuresCommand(json: boolean): void {
  const progTypes = probe(Object.keys(ProgType).filter((k) => k !== 'UNSPEC') as (keyof typeof ProgType)[], features.haveProgType);
  const mapTypes = probe(Object.keys(MapType).filter((k) => k !== 'UNSPEC') as (keyof typeof MapType)[], features.haveMapType);
  const kprobeHelpers = probe(Object.keys(HELPERS), (h) => features.haveHelper('KPROBE', HELPERS[h]!));
  const report = {
    kernel: kernelVersion().join('.'),
    progTypes, mapTypes,
    perfEventLink: features.havePerfEventLink(),
    batchOps: features.haveBatchOps(),
    jmp32: features.haveJmp32(),
    isaV4: features.haveIsaV4(),
    trampolines: haveTrampolines(),
    bpfLsm: haveBpfLsm(),
    helpersForKprobe: kprobeHelpers,
  };
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const mark = (v: boolean | string) => (v === true ? 'yes' : v === false ? 'no' : v);
  console.log(`kernel ${report.kernel}`);
  console.log(`perf event links: ${mark(report.perfEventLink)}   batch map ops: ${mark(report.batchOps)}   jmp32: ${mark(report.jmp32)}   ISA v4: ${mark(report.isaV4)}`);
  console.log(`fentry/fexit/fmod_ret (BPF trampolines): ${mark(report.trampolines)}   bpf LSM active: ${mark(report.bpfLsm)}`);
  for (const [title, table] of [['program types', progTypes], ['map types', mapTypes]] as const) {
    console.log(`\n${title}:`);
    for (const [k, v] of Object.entries(table)) console.log(`  ${k.toLowerCase().padEnd(28)} ${mark(v)}`);
  }
  const usable = Object.entries(kprobeHelpers).filter(([, v]) => v === true).length;
  console.log(`\nhelpers callable from kprobe/tracing programs: ${usable} of ${Object.keys(HELPERS).length}`);
}

function checkCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    define: { type: 'string', short: 'D', multiple: true }, include: { type: 'string', short: 'I', multiple: true },
    'no-btf': { type: 'boolean' } } });
  if (positionals.length !== 1) { process.stderr.write('usage: tsbcc check FILE [-D NAME[=V]] [-I DIR] [--no-btf]\n'); return 2; }
  const file = positionals[0]!;
  if (!existsSync(file)) { process.stderr.write(`tsbcc check: ${file}: no such file\n`); return 1; }
  const defines = Object.fromEntries((values.define ?? []).map((d) => { const i = d.indexOf('='); return i < 0 ? [d, '1'] : [d.slice(0, i), d.slice(i + 1)]; }));
  const btf = values['no-btf'] ? undefined : Btf.vmlinux();
  const t = performance.now();
  const r = frontend(readFileSync(file, 'utf8'), { filename: file, defines, includeDirs: values.include, btf, kernelConfig: readKernelConfig() });
  const ms = performance.now() - t;
  const color = process.stderr.isTTY;
  for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d, { color }) + '\n');
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
  process.stderr.write(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (${ms.toFixed(1)} ms)\n`);
  return errors ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // `tsbcc COMMAND --help`: the usage with every command's options and the examples.
  if (cmd !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    switch (cmd) {
      case 'features': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
        featuresCommand(!!values.json);
        return 0;
      }
      case 'btf':
        return btfCommand(rest);
      case 'check':
        return checkCommand(rest);
      case 'compile':
        return await compileCommand(rest);
      case 'version': case '--version': case '-V':
        console.log(version());
        return 0;
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? 1 : 0;
      default:
        process.stderr.write(`tsbcc: unknown command '${cmd}'\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`tsbcc: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
