// Diagnostics: every error and warning has a code, a location, one line of message, the source line
// with a caret, and notes where they help. The library collects them; the CLI prints them.
import { formatLoc, type Loc } from './source.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Note { loc?: Loc; message: string }

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier for tests and docs, e.g. "pp-unterminated-if", "parse-expected", "type-incompatible". */
  code: string;
  message: string;
  loc?: Loc;
  notes: Note[];
}

/** Collects diagnostics; stages keep going after an error so a run reports several. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  /** Stop collecting after this many errors (a runaway parse after a bad token). */
  constructor(readonly maxErrors = 50) {}

  error(code: string, message: string, loc?: Loc, ...notes: Note[]): Diagnostic {
    return this.add({ severity: 'error', code, message, loc, notes });
  }

  warning(code: string, message: string, loc?: Loc, ...notes: Note[]): Diagnostic {
    return this.add({ severity: 'warning', code, message, loc, notes });
  }

  add(d: Diagnostic): Diagnostic {
    if (d.severity === 'error' && this.errorCount >= this.maxErrors) throw new TooManyErrors(this);
    this.list.push(d);
    return d;
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.list) if (d.severity === 'error') n++;
    return n;
  }

  get hasErrors(): boolean { return this.errorCount > 0; }

  format(opts: { color?: boolean } = {}): string {
    return this.list.map((d) => formatDiagnostic(d, opts)).join('\n');
  }
}

/** Thrown internally to stop a stage after maxErrors; callers catch it and report what was collected. */
export class TooManyErrors extends Error {
  constructor(readonly diagnostics: Diagnostics) {
    super(`too many errors (${diagnostics.maxErrors}), stopping`);
  }
}

/** The error the library throws when compilation fails: all diagnostics, formatted. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d)).join('\n'));
  }
}

function caretLines(loc: Loc): string[] {
  const { line, col } = loc.file.position(loc.offset);
  const text = loc.file.lineText(line);
  // Tabs kept as tabs so the caret lines up in a terminal.
  const lead = text.slice(0, col - 1).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(loc.length ?? 1, text.length - col + 1));
  return [`  ${text}`, `  ${lead}^${'~'.repeat(width - 1)}`];
}

export function formatDiagnostic(d: Diagnostic, opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = d.severity === 'error' ? paint('1;31', 'error') : d.severity === 'warning' ? paint('1;35', 'warning') : paint('1;36', 'note');
  const out: string[] = [];
  const where = d.loc ? `${formatLoc(d.loc)}: ` : '';
  out.push(`${where}${sev}: ${d.message}`);
  if (d.loc) {
    out.push(...caretLines(d.loc));
    for (let e = d.loc.expansion; e; e = e.expansion) out.push(`${formatLoc(e)}: ${paint('1;36', 'note')}: in expansion of macro${d.loc.macro ? ` '${d.loc.macro}'` : ''}`);
  }
  for (const n of d.notes) {
    out.push(`${n.loc ? `${formatLoc(n.loc)}: ` : ''}${paint('1;36', 'note')}: ${n.message}`);
    if (n.loc) out.push(...caretLines(n.loc));
  }
  return out.join('\n');
}
