// BCC's USDT context: the USDT probes of a binary or a process to enable, each with the function
// that should run there. Given to `new BPF({ usdtContexts })`, which compiles each function's
// bpf_usdt_readarg/bpf_usdt_readarg_p calls against its probe's argument specs and attaches it
// to every location of the probe after loading.

export interface UsdtContextOptions {
  /** The binary or library holding the probes (path, library name, or command). */
  path?: string;
  /** A process: its executable and libraries are searched, and semaphores are raised in it only. */
  pid?: number;
}

export class USDT {
  readonly path?: string;
  readonly pid?: number;
  readonly probes: { probe: string; fnName: string }[] = [];

  constructor(o: UsdtContextOptions) {
    if (o.path === undefined && o.pid === undefined) throw new Error('USDT: give a path, a pid, or both');
    this.path = o.path;
    this.pid = o.pid;
  }

  /** Run `fnName` at the probe "name" or "provider:name" (BCC's enable_probe). */
  enableProbe(probe: string, fnName: string): this {
    this.probes.push({ probe, fnName });
    return this;
  }
}
