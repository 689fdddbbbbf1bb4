// Load an object spec (programs + BTF-defined maps) into the kernel: create the maps, patch each
// program's map loads with their fds, load the programs. Closing the object closes everything.
import type { Insn } from '../isa/insn.js';
import { Btf } from '../btf/reader.js';
import { Kind } from '../btf/types.js';
import { loadBtf, type BtfObject } from '../btf/load.js';
import { loadProgram, Program, BPF_F_SLEEPABLE } from './program.js';
import { nearestNames } from '../util/names.js';
import { createMap, openPinnedMap, type BpfMap } from '../maps/index.js';
import { existsSync } from 'node:fs';
import { bpf, explain, numPossibleCpus, MapType, type ProgTypeName, type AttachTypeName } from '../sys/index.js';

export interface MapDef {
  name: string; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number;
  /** Global-variable sections (.bss, .data, .rodata): the value at key 0, and whether to freeze it. */
  initial?: Buffer;
  freeze?: boolean;
  /** Shared through bpffs (BCC's BPF_TABLE_PINNED): opened there if pinned already, else created and pinned there. */
  pinPath?: string;
}

/** A global variable: where it lives in its section map's value. */
export interface GlobalDef { name: string; section: string; offset: number; size: number }

export interface ProgramDef {
  name: string;
  section: string;
  type: ProgTypeName;
  expectedAttachType?: AttachTypeName;
  attachTo?: string;
  /** fentry.s/, fexit.s/, fmod_ret.s/, lsm.s/: loaded with BPF_F_SLEEPABLE. */
  sleepable?: boolean;
  insns: Insn[];
  /** Instructions (64-bit loads) to patch with a map's fd. */
  relocs: { insn: number; map: string; value?: boolean }[];
  /** bpf_func_info / bpf_line_info records against the object's BTF. */
  funcInfo?: Buffer;
  lineInfo?: Buffer;
}

export interface ObjectSpec { programs: ProgramDef[]; maps: MapDef[]; globals?: GlobalDef[]; license: string; /** BTF for func_info/line_info */ btf?: Buffer }

export interface LoadOptions {
  /** Values for global variables before loading — `const volatile` settings are frozen in .rodata at load. */
  globals?: Record<string, number | bigint | Buffer>;
}

export class LoadedObject {
  constructor(readonly programs: Map<string, Program>, readonly maps: Map<string, BpfMap>, readonly spec: ObjectSpec,
    private btf?: BtfObject) {}

  program(name: string): Program {
    const p = this.programs.get(name);
    if (!p) throw new Error(`no program '${name}' in this object (it has ${[...this.programs.keys()].join(', ') || 'none'})`);
    return p;
  }

  map<T extends BpfMap = BpfMap>(name: string): T {
    const m = this.maps.get(name);
    if (!m) throw new Error(`no map '${name}' in this object (it has ${[...this.maps.keys()].join(', ') || 'none'})`);
    return m as T;
  }

  close(): void {
    for (const p of this.programs.values()) p.close();
    for (const m of this.maps.values()) m.close();
    this.btf?.close();
  }

  [Symbol.dispose](): void { this.close(); }
}

/**
 * BTF-typed programs name their target by BTF id: the btf_trace_<tp> typedef for tp_btf, the
 * bpf_lsm_<hook> function for lsm, the kernel function itself for fentry/fexit/fmod_ret.
 * A name the kernel's BTF lacks is one line with the nearest names it has.
 */
export function attachBtfId(p: Pick<ProgramDef, 'name' | 'section' | 'type' | 'expectedAttachType' | 'attachTo'>, btf = Btf.vmlinux()): number | undefined {
  if (p.type !== 'TRACING' && p.type !== 'LSM') return undefined;
  if (!p.attachTo) throw new Error(`program ${p.name} (section "${p.section}") names no attach target`);
  let want: string, kind: number, what: string, strip = '';
  if (p.expectedAttachType === 'TRACE_RAW_TP') {
    want = `btf_trace_${p.attachTo}`; kind = Kind.TYPEDEF; what = 'tracepoint'; strip = 'btf_trace_';
  } else if (p.type === 'LSM') {
    want = `bpf_lsm_${p.attachTo}`; kind = Kind.FUNC; what = 'LSM hook'; strip = 'bpf_lsm_';
  } else {
    want = p.attachTo; kind = Kind.FUNC; what = 'kernel function';
  }
  const id = btf.find(want, kind);
  if (id !== undefined) return id;
  const pool = (function* () {
    for (const [n] of btf.names(kind)) if (n.startsWith(strip)) yield n.slice(strip.length);
  })();
  const near = nearestNames(p.attachTo, pool);
  throw new Error(`program ${p.name} (section "${p.section}"): no ${what} '${p.attachTo}' in BTF` +
    (near.length ? `; did you mean ${near.join(', ')}?` : ''));
}

/** A map shared through bpffs: the pinned one if the path exists (it must have the declared shape), else a new one pinned there. */
function pinnedMap(m: MapDef, maxEntries: number): BpfMap {
  const path = m.pinPath!;
  if (existsSync(path)) {
    const map = openPinnedMap(path);
    if (map.type !== m.type || map.keySize !== m.keySize || map.valueSize !== m.valueSize || map.maxEntries !== maxEntries) {
      map.close();
      throw new Error(`map '${m.name}': the map pinned at ${path} (type ${map.type}, key ${map.keySize}, value ${map.valueSize}, ${map.maxEntries} entries) `
        + `is not the one declared (type ${m.type}, key ${m.keySize}, value ${m.valueSize}, ${maxEntries} entries)`);
    }
    return map;
  }
  const map = createMap({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries, flags: m.flags, name: m.name });
  try {
    bpf.objPin(map.fd, path);
  } catch (e) {
    map.close();
    throw explain(e, `pinning map '${m.name}' at ${path}`);
  }
  return map;
}

export function loadObject(spec: ObjectSpec, opts: LoadOptions = {}): LoadedObject {
  const maps = new Map<string, BpfMap>();
  const programs = new Map<string, Program>();
  let btf: BtfObject | undefined;
  try {
    if (spec.btf) btf = loadBtf(spec.btf);
    for (const m of spec.maps) {
      const maxEntries = m.type === MapType.PERF_EVENT_ARRAY && !m.maxEntries ? numPossibleCpus() : m.maxEntries;
      const map = m.pinPath ? pinnedMap(m, maxEntries) : createMap({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries, flags: m.flags, name: m.name });
      maps.set(m.name, map);
      if (m.initial) {
        const value = Buffer.from(m.initial);
        for (const g of spec.globals ?? []) {
          const v = opts.globals?.[g.name];
          if (g.section !== m.name || v === undefined) continue;
          if (Buffer.isBuffer(v)) v.copy(value, g.offset, 0, g.size);
          else {
            let x = BigInt.asUintN(g.size * 8, BigInt(v));
            for (let i = 0; i < g.size; i++) { value[g.offset + i] = Number(x & 0xffn); x >>= 8n; }
          }
        }
        bpf.mapUpdateElem(map.fd, Buffer.alloc(4), value);
        if (m.freeze) map.freeze();
      }
    }
    for (const p of spec.programs) {
      const insns = p.insns.map((i) => ({ ...i }));
      for (const r of p.relocs) {
        const map = maps.get(r.map);
        if (!map) throw new Error(`program ${p.name} refers to map '${r.map}', which the object does not define`);
        insns[r.insn]!.imm = map.fd;
      }
      const withBtf = btf && p.funcInfo ? { btfFd: btf.fd, funcInfo: p.funcInfo, lineInfo: p.lineInfo } : {};
      programs.set(p.name, loadProgram({ type: p.type, insns, license: spec.license, name: p.name, expectedAttachType: p.expectedAttachType,
        attachBtfId: attachBtfId(p), ...(p.sleepable ? { flags: BPF_F_SLEEPABLE } : {}), ...withBtf }));
    }
  } catch (e) {
    for (const p of programs.values()) p.close();
    for (const m of maps.values()) m.close();
    btf?.close();
    throw e;
  }
  return new LoadedObject(programs, maps, spec, btf);
}
