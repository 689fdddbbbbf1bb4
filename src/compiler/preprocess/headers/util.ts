// Small helpers for writing the built-in headers' text.

/** A table of object-like macros: [name, replacement] pairs, spelled as the kernel spells them. */
export type DefTable = readonly (readonly [string, string | number])[];

/** `#define NAME VALUE` lines for a table. */
export function defs(table: DefTable): string {
  let out = '';
  for (const [name, value] of table) out += `#define ${name} ${value}\n`;
  return out;
}

/** An include-guarded header body. */
export function guarded(guard: string, body: string): string {
  return `#ifndef ${guard}\n#define ${guard}\n${body}\n#endif /* ${guard} */\n`;
}

/** `#include <name>` lines. */
export function includes(...names: string[]): string {
  return names.map((n) => `#include <${n}>\n`).join('');
}

/** Member aliases the kernel spells as macros: `#define sk_state __sk_common.skc_state`. */
export interface MemberAliases {
  /** The struct the alias is used on (`struct sock`), for checking the path against BTF. */
  struct: string;
  aliases: readonly (readonly [string, string])[];
}

export function aliasDefs(a: MemberAliases): string {
  return defs(a.aliases);
}
