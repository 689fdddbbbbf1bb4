// The VM test runner (`npm run test:vm`): runs each compiled test/vm/*.test.js inside its own
// QEMU guest booted from Debian's kernel (test/vm/vmrun.sh), a few guests at a time, and prints
// each file's output, a summary, and exits non-zero if any file failed, timed out or its guest
// did not boot.
//
//   node dist/test/vm/run.js [--jobs N] [--timeout SECS] [FILE_OR_SUBSTRING...]
//
// A test file may ask for kernel command-line arguments with a comment line of its own:
//   // vm-kernel-args: lsm=lockdown,capability,bpf
// Inside the guest, TSBCC_VM=1 and TSBCC_VM_HOST_RELEASE (the host's `uname -r`) are set.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { release } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const VMRUN = join(ROOT, 'test/vm/vmrun.sh');
const TEST_DIR = join(ROOT, 'dist/test/vm');

interface Outcome {
  file: string;
  status: number;
  ms: number;
  bootS?: number;
  counts: { pass: number; fail: number; skipped: number; tests: number };
  output: string;
}

/** Kernel arguments a test file asks for, from a `// vm-kernel-args: ...` line. */
export function kernelArgsOf(source: string): string {
  return /^\s*\/\/\s*vm-kernel-args:\s*(.+?)\s*$/m.exec(source)?.[1] ?? '';
}

/** The totals node's spec (ℹ) or TAP (#) reporter prints at the end. */
export function countsOf(output: string): Outcome['counts'] {
  const get = (k: string): number => {
    const m = new RegExp(`^(?:ℹ|#) ${k} (\\d+)$`, 'gm');
    let n = 0;
    for (const x of output.matchAll(m)) n = Number(x[1]);
    return n;
  };
  return { tests: get('tests'), pass: get('pass'), fail: get('fail'), skipped: get('skipped') };
}

function describeStatus(s: number): string {
  switch (s) {
    case 0: return 'ok';
    case 124: return 'TIMEOUT';
    case 125: return 'NO BOOT';
    case 127: return 'MISSING PACKAGES';
    default: return `FAIL (exit ${s})`;
  }
}

function runFile(file: string, timeoutS: number, stream: boolean): Promise<Outcome> {
  const args = kernelArgsOf(readFileSync(file, 'utf8'));
  const rel = relative(ROOT, file);
  // The guest reports its uptime first: how long the kernel and first stage took to boot.
  const script = 'echo "vm-uptime $(cut -d" " -f1 /proc/uptime)"; exec "$@"';
  const cmd = [VMRUN, '--timeout', String(timeoutS), ...(args ? ['--append', args] : []), '--',
    'sh', '-c', script, 'sh', process.execPath, '--test', '--test-reporter=spec', rel];
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TSBCC_VM: '1', TSBCC_VM_HOST_RELEASE: release(), NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    running.add(child.pid!);
    let output = '';
    // Decoded per stream, so a character split across two serial-port reads stays whole.
    const take = (d: string): void => {
      output += d;
      if (stream) process.stdout.write(d);
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('close', (code, signal) => {
      running.delete(child.pid!);
      const bootS = Number(/^vm-uptime ([\d.]+)$/m.exec(output)?.[1]);
      done({ file: rel, status: code ?? (signal ? 128 : 1), ms: Date.now() - t0, bootS: Number.isFinite(bootS) ? bootS : undefined,
        counts: countsOf(output), output });
    });
  });
}

const running = new Set<number>();
function stopAll(sig: NodeJS.Signals): void {
  // Each vmrun.sh kills its own qemu on SIGTERM.
  for (const pid of running) { try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ } }
  process.exitCode = 130;
  process.off(sig, stopAll);
  setTimeout(() => process.exit(130), 3000).unref();
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      jobs: { type: 'string', short: 'j', default: process.env.TSBCC_VM_JOBS ?? '2' },
      timeout: { type: 'string', short: 't', default: process.env.TSBCC_VM_TIMEOUT ?? '480' },
    },
  });
  if (!existsSync(TEST_DIR)) {
    console.error(`test:vm: ${relative(process.cwd(), TEST_DIR)} does not exist — run \`npx tsc -p .\` first`);
    return 2;
  }
  let files = readdirSync(TEST_DIR).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(TEST_DIR, f));
  if (positionals.length) files = files.filter((f) => positionals.some((p) => f.includes(p)));
  if (!files.length) {
    console.error('test:vm: no test files' + (positionals.length ? ` match ${positionals.join(' ')}` : ''));
    return 2;
  }
  const jobs = Math.max(1, Number(values.jobs) || 1);
  const timeoutS = Math.max(10, Number(values.timeout) || 480);
  const stream = jobs === 1;
  console.log(`test:vm: ${files.length} file(s), ${jobs} guest(s) at a time, ${timeoutS} s per file`);
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);

  const t0 = Date.now();
  const outcomes: Outcome[] = [];
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (process.exitCode === 130) return;
      console.log(`test:vm: start ${relative(ROOT, f)}`);
      const o = await runFile(f, timeoutS, stream);
      outcomes.push(o);
      if (!stream) {
        console.log(`\n===== ${o.file} (${describeStatus(o.status)}, ${(o.ms / 1000).toFixed(1)} s) =====`);
        process.stdout.write(o.output.endsWith('\n') ? o.output : o.output + '\n');
      }
      if (o.status === 127) queue.length = 0; // nothing else can boot either
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

  console.log('\ntest:vm summary');
  for (const o of outcomes.sort((a, b) => a.file.localeCompare(b.file))) {
    const c = o.counts;
    console.log(`  ${describeStatus(o.status).padEnd(16)} ${o.file.padEnd(36)} ${(o.ms / 1000).toFixed(1).padStart(6)} s` +
      `  boot ${o.bootS !== undefined ? o.bootS.toFixed(1) + ' s' : '?'}  tests ${c.tests} pass ${c.pass} fail ${c.fail} skipped ${c.skipped}`);
  }
  const missing = outcomes.find((o) => o.status === 127);
  if (missing) console.log(`  ${/vmrun: missing .*/.exec(missing.output)?.[0] ?? 'qemu or the kernel package is missing'}`);
  const bad = outcomes.filter((o) => o.status !== 0).length + (files.length - outcomes.length);
  console.log(`  ${outcomes.length - bad} of ${files.length} file(s) passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return bad ? 1 : 0;
}

// Run only as the entry point, so the helpers above can be imported by tests.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rc = await main();
  process.exitCode = process.exitCode === 130 ? 130 : rc;
}
