// Probes outlive no process. A uprobe made through the PMU is fd-based: SIGKILL removes it. A tracefs
// uprobe event is a kernel object of its own: removed by the exit/signal cleanup, and after a SIGKILL
// (which runs no cleanup) by the next tsbcc process that makes a tracefs probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { bpf } from '../../src/sys/index.js';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { attachUprobe, listProbeEvents } from '../../src/attach/index.js';
import { probeTarget } from '../fixtures/probe_target.js';

const skip = process.getuid?.() !== 0 && 'needs root';
const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);

/** A node child that attaches a PMU uprobe and a tracefs uprobe, prints "<link id> <event names>", then `then`. */
function child(bin: string, then: string) {
  const script = `
    const { loadProgram } = await import(${mod('../../src/load/index.js')});
    const { attachUprobe, listProbeEvents } = await import(${mod('../../src/attach/index.js')});
    const { bpf } = await import(${mod('../../src/sys/index.js')});
    const prog = loadProgram({ type: 'KPROBE', insns: Buffer.from('b7000000000000009500000000000000', 'hex'), name: 'victim', license: 'GPL' });
    const pmu = attachUprobe(prog, { binary: ${JSON.stringify(bin)}, symbol: 'tsbcc_add' });
    const tfs = attachUprobe(prog, { binary: ${JSON.stringify(bin)}, symbol: 'main', mechanism: 'tracefs' });
    const mine = listProbeEvents('uprobe_events').filter((n) => n.includes('_' + process.pid + '_'));
    console.log(bpf.linkInfo(pmu.allFds[0]).id + ' ' + mine.join(','));
    ${then}`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  return c;
}

async function started(c: ReturnType<typeof child>): Promise<{ linkId: number; events: string[] }> {
  const [line] = (await once(createInterface({ input: c.stdout! }), 'line')) as [string];
  const [id, names] = line.split(' ');
  return { linkId: Number(id), events: names ? names.split(',') : [] };
}

async function linkGone(id: number, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (![...bpf.linkIds()].includes(id)) return true;
  }
  return false;
}

test('SIGKILL: the PMU uprobe\'s link dies with the process; its tracefs event is swept by the next tracefs probe', { skip, timeout: 30000 }, async () => {
  const bin = probeTarget();
  const c = child(bin, 'setInterval(() => {}, 1000);');
  const { linkId, events } = await started(c);
  assert.equal(events.length, 1);
  assert.ok([...bpf.linkIds()].includes(linkId));
  c.kill('SIGKILL');
  await once(c, 'exit');
  assert.ok(await linkGone(linkId), `link ${linkId} survived SIGKILL`);
  // The kernel keeps tracefs events until someone removes them: SIGKILL ran no cleanup.
  assert.ok(listProbeEvents('uprobe_events').includes(events[0]!), 'the event is still defined right after SIGKILL');
  using prog = loadProgram({ type: 'KPROBE', insns: new Assembler().mov64Imm(R0, 0).exit().assemble(), license: 'GPL' });
  {
    using _l = attachUprobe(prog, { binary: bin, symbol: 'main', mechanism: 'tracefs' });
  }
  const left = listProbeEvents('uprobe_events');
  assert.ok(!left.includes(events[0]!), `${events[0]} of the killed pid ${c.pid} was swept`);
  assert.deepEqual(left.filter((n) => n.includes(`_${c.pid}_`) || n.includes(`_${process.pid}_`)), []);
});

for (const [how, then] of [
  ['SIGTERM', 'setInterval(() => {}, 1000);'],
  ['a normal exit without close()', 'process.exit(0);'],
  ['an uncaught exception', 'setTimeout(() => { throw new Error("boom"); }, 10);'],
] as const) {
  test(`${how}: the cleanup removes the tracefs event before the process ends`, { skip, timeout: 30000 }, async () => {
    const c = child(probeTarget(), then);
    const { linkId, events } = await started(c);
    assert.equal(events.length, 1);
    if (how === 'SIGTERM') c.kill('SIGTERM');
    const [code, signal] = (await once(c, 'exit')) as [number | null, string | null];
    if (how === 'SIGTERM') assert.equal(signal, 'SIGTERM', 'the exit status still says SIGTERM');
    else if (how === 'a normal exit without close()') assert.equal(code, 0);
    else assert.notEqual(code, 0);
    assert.ok(!listProbeEvents('uprobe_events').includes(events[0]!), `${events[0]} removed at exit`);
    assert.ok(await linkGone(linkId));
  });
}
