// tsbcc: the public API.
export * as isa from './isa/index.js';
export * as asm from './isa/asm.js';
export * as sys from './sys/index.js';
export { NotSupportedError, isErrno, features } from './sys/index.js';
export * from './load/index.js';
export * from './maps/index.js';
export * from './attach/index.js';
export * as netlink from './netlink/index.js';
export { withNetns } from './sys/index.js';
export * as elf from './elf/index.js';
export { ElfFile, ElfError, resolveBinary, BinaryNotFoundError, symbolizeUser, formatUserSymbol, UserSymbolizer, type UserSymbol } from './elf/index.js';
export * from './events/index.js';
export { Btf, BtfParseError } from './btf/reader.js';
export { Kind as BtfKind, type BtfType } from './btf/types.js';
export * from './btf/query.js';
export { definition, declaration, typeName } from './btf/cprint.js';
export { BtfBuilder, encodeFuncInfo, encodeLineInfo } from './btf/writer.js';
export { loadBtf, BtfObject, BtfLoadError } from './btf/load.js';
export { readTracepointFormat, parseTracepointFormat, tracepointStructC, decodeTracepointRecord, type TracepointFormat } from './btf/tracepoint_format.js';
export { compileBcc, type BccObject, type BccTable, type BccProgram, type BccOptions, type BccAttach } from './compiler/dialect/index.js';
export * from './tables/index.js';
export { ksym, ksymname, kallsyms, reloadKallsyms, Kallsyms, type KernelSymbol, type KsymOptions } from './sys/kallsyms.js';
export { BPF, USDT, BccEventTable, TypedQueueStack, fixSyscallFnname, DEBUG_LLVM_IR, DEBUG_BPF, DEBUG_PREPROCESSOR, DEBUG_SOURCE, DEBUG_BPF_REGISTER_STATE,
  DEBUG_BTF, type BPFOptions, type BpfFunction, type BccTableView, type Attachment, type KprobeAttachOptions, type UprobeAttachOptions,
  type PerfEventAttachOptions, type TraceFields, type TraceReadOptions } from './bpf.js';
