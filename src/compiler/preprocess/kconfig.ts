// The running kernel's build configuration, as the CONFIG_* macros its autoconf.h defines, and its
// version as LINUX_VERSION_CODE. Read once per process.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as zlib from 'node:zlib';

/**
 * Parse a kernel .config the way the kernel's autoconf.h renders it: `CONFIG_X=y` defines
 * CONFIG_X as 1, `CONFIG_X=m` defines CONFIG_X_MODULE as 1, strings and numbers keep their
 * value, `=n` and `# CONFIG_X is not set` define nothing.
 */
export function parseKernelConfig(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('CONFIG_')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const name = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!/^CONFIG_[A-Za-z0-9_]+$/.test(name)) continue;
    if (value === 'y') map.set(name, '1');
    else if (value === 'm') map.set(name + '_MODULE', '1');
    else if (value === 'n' || value === '') continue;
    else map.set(name, value);
  }
  return map;
}

let cached: { map: Map<string, string>; source: string | undefined } | undefined;

function load(): { map: Map<string, string>; source: string | undefined } {
  if (cached) return cached;
  const candidates = ['/proc/config.gz', `/boot/config-${os.release()}`, `/lib/modules/${os.release()}/build/.config`];
  for (const p of candidates) {
    try {
      const buf = fs.readFileSync(p);
      const text = p.endsWith('.gz') ? zlib.gunzipSync(buf).toString('utf8') : buf.toString('utf8');
      return (cached = { map: parseKernelConfig(text), source: p });
    } catch {
      // try the next place
    }
  }
  return (cached = { map: new Map(), source: undefined });
}

/** The running kernel's CONFIG_* macros (empty if its configuration cannot be found). Cached. */
export function readKernelConfig(): Map<string, string> {
  return load().map;
}

/** Whether readKernelConfig() found a configuration, and where. */
export function kernelConfigFound(): boolean {
  return load().source !== undefined;
}

export function kernelConfigSource(): string | undefined {
  return load().source;
}

/** KERNEL_VERSION(a, b, c) as the kernel computes it (the sublevel saturates at 255). */
export function kernelVersionCode(a: number, b: number, c: number): number {
  return (a << 16) + (b << 8) + Math.min(c, 255);
}

let versionCode: number | undefined;

/** LINUX_VERSION_CODE of the running kernel, from its release string ("6.18.44-..."). */
export function runningKernelVersionCode(): number {
  if (versionCode === undefined) {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(os.release());
    versionCode = m ? kernelVersionCode(Number(m[1]), Number(m[2]), Number(m[3] ?? 0)) : 0;
  }
  return versionCode;
}
