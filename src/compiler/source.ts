// Source text and positions. A location is (file, offset); line and column are computed on demand.

export class SourceFile {
  private lineStarts?: number[];
  constructor(readonly id: number, readonly name: string, readonly text: string) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    const s = this.starts();
    let lo = 0, hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - s[lo]! + 1 };
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const s = this.starts();
    const start = s[line - 1] ?? this.text.length;
    const end = line < s.length ? s[line]! - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

/** Where a token or node came from. `expansion` is the macro use site when it came out of a macro. */
export interface Loc {
  file: SourceFile;
  offset: number;
  /** Length in characters of the spelled token/node (for carets). */
  length?: number;
  /** The location of the macro invocation this token was produced by, outermost last. */
  expansion?: Loc;
  /** The macro name whose body this token was spelled in. */
  macro?: string;
}

/** All sources of one compilation: the main file, included files and built-in headers. */
export class SourceSet {
  readonly files: SourceFile[] = [];
  add(name: string, text: string): SourceFile {
    const f = new SourceFile(this.files.length, name, text);
    this.files.push(f);
    return f;
  }
}

/** "file.c:12:5" */
export function formatLoc(loc: Loc): string {
  const { line, col } = loc.file.position(loc.offset);
  return `${loc.file.name}:${line}:${col}`;
}
