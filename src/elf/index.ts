// ELF files: symbols, segments and notes (for uprobes and USDT), library lookup, user symbolization.
export { ElfFile, ElfError, withElf, ElfType, SectionType, SegmentType, SymbolType, SymbolBind,
  type Section, type Segment, type ElfSymbol, type ElfNote } from './reader.js';
export { resolveBinary, findLibrary, which, parseLdSoCache, parseMaps, readMaps, BinaryNotFoundError,
  type Mapping, type CacheEntry } from './resolve.js';
export { symbolizeUser, formatUserSymbol, UserSymbolizer, type UserSymbol } from './symbolize.js';
