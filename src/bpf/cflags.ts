// BCC's `cflags`: the clang options a user passes with the program. The ones that mean something
// to a C front end (-D, -U, -I, -include) are honored; code-generation and warning options
// (-O2, -g, -Wno-..., -fno-...) mean nothing to tsbcc's compiler and are accepted silently, as
// BCC's users pass them out of habit. Anything else is one line naming the flag.

export interface ParsedCflags {
  defines: Record<string, string>;
  includeDirs: string[];
  /** Headers read before the program (-include FILE). */
  includes: string[];
}

const IGNORED = /^-(O[0-3sz]?|g\w*|W.*|w|f[\w-]+(=.*)?|m[\w-]+(=.*)?|std=.*|nostdinc|Qunused-arguments|x\s*c|target|emit-llvm|c)$/;

/** Read a BCC cflags list. Throws one line for a flag tsbcc does not understand. */
export function parseCflags(cflags: readonly string[] = []): ParsedCflags {
  const out: ParsedCflags = { defines: {}, includeDirs: [], includes: [] };
  for (let i = 0; i < cflags.length; i++) {
    const f = cflags[i]!;
    const value = (flag: string): string => {
      if (f.length > flag.length) return f.slice(flag.length);
      const v = cflags[++i];
      if (v === undefined) throw new Error(`cflags: ${flag} needs a value`);
      return v;
    };
    if (f.startsWith('-D')) {
      const d = value('-D');
      const eq = d.indexOf('=');
      if (eq === 0 || !d) throw new Error(`cflags: '${f}' defines no name`);
      if (eq < 0) out.defines[d] = '1';
      else out.defines[d.slice(0, eq)] = d.slice(eq + 1);
    } else if (f.startsWith('-U')) {
      delete out.defines[value('-U')];
    } else if (f === '-include') {
      out.includes.push(value('-include'));
    } else if (f.startsWith('-I')) {
      out.includeDirs.push(value('-I'));
    } else if (IGNORED.test(f)) {
      if (f === '-target') i++; // its value
    } else {
      throw new Error(`cflags: unsupported flag '${f}' (tsbcc's compiler takes -D, -U, -I and -include; -O, -g, -W and -f flags are ignored)`);
    }
  }
  return out;
}
