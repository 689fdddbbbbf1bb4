// `tsbcc btf`: show a kernel type as C (or JSON), from the running kernel's BTF.
import { parseArgs } from 'node:util';
import { Btf } from './reader.js';
import { Kind, kindName } from './types.js';
import { definition, typeName } from './cprint.js';
import { nearestNames, sizeOf, tracepointArgs } from './query.js';

export const BTF_USAGE =
  '  btf [KIND] NAME [--offsets] [--module M] [--json]\n' +
  '                              a kernel type as C; KIND: struct union enum typedef func var tracepoint';

const KINDS: Record<string, number[]> = {
  struct: [Kind.STRUCT], union: [Kind.UNION], enum: [Kind.ENUM, Kind.ENUM64], typedef: [Kind.TYPEDEF],
  func: [Kind.FUNC], fn: [Kind.FUNC], var: [Kind.VAR],
};

function jsonOf(btf: Btf, id: number): unknown {
  const t = btf.type(id);
  const named = (type: number) => ({ type: typeName(btf, type), typeId: type });
  const size = (type: number) => { try { return sizeOf(btf, type); } catch { return undefined; } };
  switch (t.kind) {
    case Kind.STRUCT: case Kind.UNION:
      return { id, kind: kindName(t.kind).toLowerCase(), name: t.name, size: t.size,
        members: t.members.map((m) => ({ name: m.name, ...named(m.type), offset: m.bitOffset / 8, size: size(m.type),
          ...(m.bitfieldSize ? { bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize } : {}) })) };
    case Kind.ENUM: case Kind.ENUM64:
      return { id, kind: 'enum', name: t.name, size: t.size, values: Object.fromEntries(t.values.map((v) => [v.name, Number(v.value)])) };
    case Kind.FUNC: {
      const p = btf.type(t.type);
      return { id, kind: 'func', name: t.name, linkage: t.linkage, prototype: definition(btf, id),
        ...(p.kind === Kind.FUNC_PROTO ? { returnType: typeName(btf, p.returnType), params: p.params.map((x) => ({ name: x.name, ...named(x.type) })) } : {}) };
    }
    default: return { id, kind: kindName(t.kind).toLowerCase(), name: t.name, c: definition(btf, id) };
  }
}

export function btfCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true,
    options: { offsets: { type: 'boolean' }, module: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length === 0 || positionals.length > 2) {
    process.stderr.write(`usage: tsbcc${BTF_USAGE.trimStart().replace(/^btf/, ' btf')}\n`);
    return 2;
  }
  const [kindArg, name] = positionals.length === 2 ? [positionals[0]!, positionals[1]!] : ['any', positionals[0]!];
  const btf = values.module ? Btf.module(values.module) : Btf.vmlinux();
  const out = (text: string) => process.stdout.write(text + '\n');

  if (kindArg === 'tracepoint' || kindArg === 'tp') {
    const { typedefId, params } = tracepointArgs(btf, name);
    if (values.json) out(JSON.stringify({ tracepoint: name, typedefId, args: params.map((p) => ({ name: p.name, type: typeName(btf, p.type) })) }, null, 2));
    else {
      out(`/* ${name}: the arguments of raw_tracepoint/${name} and tp_btf/${name} programs (from ${btf.nameOf(typedefId)}) */`);
      params.forEach((p, i) => out(`ctx->args[${i}]: ${typeName(btf, p.type)}${p.name ? ` ${p.name}` : ''}`));
    }
    return 0;
  }
  const kinds = kindArg === 'any' ? undefined : KINDS[kindArg];
  if (kindArg !== 'any' && !kinds) {
    process.stderr.write(`tsbcc btf: unknown kind '${kindArg}' (struct, union, enum, typedef, func, var, tracepoint)\n`);
    return 2;
  }
  const ids = btf.findAll(name).filter((id) => (kinds ? kinds.includes(btf.kindOf(id)) : btf.kindOf(id) !== Kind.FWD));
  if (!ids.length) {
    const pool = kinds ? kinds.flatMap((k) => [...btf.names(k)].map(([n]) => n)) : [...btf.names()].map(([n]) => n);
    const near = nearestNames(name, pool);
    const what = kindArg === 'any' ? `type ${name}` : `${kindArg} ${name}`;
    process.stderr.write(`tsbcc btf: ${what} is not in the kernel's BTF${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}\n`);
    return 1;
  }
  if (values.json) out(JSON.stringify(ids.length === 1 ? jsonOf(btf, ids[0]!) : ids.map((id) => jsonOf(btf, id)), null, 2));
  else out(ids.map((id) => definition(btf, id, { offsets: values.offsets })).join('\n\n'));
  return 0;
}
