// Finding the file behind a name: "c"/"libc"/"pthread" through /etc/ld.so.cache (or the process's
// own mappings), commands through $PATH, paths as they are; and /proc/<pid>/maps parsing.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve as resolvePath } from 'node:path';

/** One line of /proc/<pid>/maps. */
export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** File offset the mapping starts at. */
  offset: bigint;
  inode: number;
  /** The file path, "[heap]"-style names, or "" for anonymous memory. */
  path: string;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ (\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt('0x' + m[1]), end: BigInt('0x' + m[2]), perms: m[3]!, offset: BigInt('0x' + m[4]),
      inode: Number(m[5]), path: m[6]!.replace(/ \(deleted\)$/, ''),
    });
  }
  return out;
}

/** The memory mappings of a process; throws a one-line error when it does not exist. */
export function readMaps(pid: number): Mapping[] {
  try {
    return parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1'));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new Error(`no process with pid ${pid}`);
    throw e;
  }
}

/** One library of /etc/ld.so.cache. */
export interface CacheEntry { name: string; path: string; flags: number }

const FLAG_ELF_LIBC6 = 0x0003;
const FLAG_X8664_LIB64 = 0x0300;
const FLAG_AARCH64_LIB64 = 0x0a00;

/**
 * Parse glibc's /etc/ld.so.cache: the "glibc-ld.so.cache1.1" format, alone or after the old
 * "ld.so-1.7.0" table. Entries: flags i32, key u32, value u32, osversion u32, hwcap u64; key and
 * value are string offsets from the start of the file.
 */
export function parseLdSoCache(buf: Buffer): CacheEntry[] {
  const NEW = 'glibc-ld.so.cache1.1';
  let base = 0;
  if (buf.toString('latin1', 0, 11) === 'ld.so-1.7.0') {
    const n = buf.readUInt32LE(12);
    base = (16 + n * 12 + 7) & ~7;
  }
  if (buf.toString('latin1', base, base + NEW.length) !== NEW) return [];
  const nlibs = buf.readUInt32LE(base + 20);
  const out: CacheEntry[] = [];
  const str = (off: number) => {
    const end = buf.indexOf(0, off);
    return buf.toString('latin1', off, end < 0 ? buf.length : end);
  };
  for (let i = 0, o = base + 48; i < nlibs && o + 24 <= buf.length; i++, o += 24) {
    out.push({ flags: buf.readInt32LE(o), name: str(buf.readUInt32LE(o + 4)), path: str(buf.readUInt32LE(o + 8)) });
  }
  return out;
}

let cache: CacheEntry[] | undefined;
function ldSoCache(): CacheEntry[] {
  if (cache) return cache;
  try {
    cache = parseLdSoCache(readFileSync('/etc/ld.so.cache'));
  } catch {
    cache = [];
  }
  return cache;
}

const nativeArchFlag = process.arch === 'arm64' ? FLAG_AARCH64_LIB64 : FLAG_X8664_LIB64;

/** "c" -> "libc", "libc.so.6" stays. */
function libPrefix(name: string): string {
  return name.startsWith('lib') ? name : `lib${name}`;
}

/** Is `file` (a basename) the library `lib` names: libc matches libc.so.6 and libc-2.31.so, not libcap.so. */
function isLibrary(file: string, lib: string): boolean {
  return file === lib || file.startsWith(`${lib}.so`) || file.startsWith(`${lib}-`);
}

/** The path of a shared library by name ("c", "libc", "pthread", "libc.so.6"), or undefined. */
export function findLibrary(name: string, pid?: number): string | undefined {
  const lib = libPrefix(name);
  if (pid !== undefined) {
    for (const m of readMaps(pid)) {
      if (m.path.startsWith('/') && isLibrary(basename(m.path), lib)) return m.path;
    }
  }
  let fallback: string | undefined;
  for (const e of ldSoCache()) {
    if (!isLibrary(e.name, lib) || (e.flags & 0xff) !== FLAG_ELF_LIBC6) continue;
    if ((e.flags & 0xff00) === nativeArchFlag) return e.path;
    fallback ??= e.path;
  }
  return fallback;
}

/** An executable by command name through $PATH. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* next */ }
  }
  return undefined;
}

/** The binary or library could not be found; the message names it and where tsbcc looked. */
export class BinaryNotFoundError extends Error {
  override readonly name = 'BinaryNotFoundError';
}

/**
 * The file a uprobe or USDT probe goes into, as BCC resolves its `name` argument: a path (absolute
 * or containing "/") as it is; otherwise a library ("c", "pthread", "libssl.so.3") from the
 * process's mappings when `pid` is given, then /etc/ld.so.cache; otherwise a command through $PATH.
 */
export function resolveBinary(name: string, pid?: number): string {
  if (!name) throw new BinaryNotFoundError('no binary given');
  if (name.includes('/')) {
    const p = isAbsolute(name) ? name : resolvePath(name);
    if (!existsSync(p)) throw new BinaryNotFoundError(`binary ${name} does not exist`);
    return p;
  }
  const lib = findLibrary(name, pid);
  if (lib) return lib;
  const cmd = which(name);
  if (cmd) return cmd;
  throw new BinaryNotFoundError(`cannot find binary or library "${name}" (not a path, not lib${name.replace(/^lib/, '')} in /etc/ld.so.cache` +
    `${pid !== undefined ? ` or pid ${pid}'s mappings` : ''}, not a command in $PATH)`);
}
