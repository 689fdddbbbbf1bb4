// Tokens, as the preprocessor hands them to the parser.
import type { Loc } from './source.js';

export const enum T {
  EOF = 0,
  Ident = 1,
  /** Integer or floating constant, spelled as in the source ("0x10UL", "1.5"). */
  Number = 2,
  /** Character constant, e.g. 'a', '\n'. */
  Char = 3,
  /** String literal, with its prefix if any; adjacent literals are concatenated by the parser. */
  String = 4,
  Punct = 5,
  /** A `#pragma X` line or `_Pragma("X")`, as one token whose text is X with whitespace normalized. */
  Pragma = 6,
  /** Keywords are Ident tokens; the parser decides (macros may define them away). */
}

export interface Token {
  kind: T;
  /** The spelling: identifier name, punctuator ("->", "<<="), literal text with quotes. */
  text: string;
  loc: Loc;
  /** Whitespace came before it (for # stringizing and pretty printing). */
  space: boolean;
  /** First token on its line (for directives). */
  bol: boolean;
}
