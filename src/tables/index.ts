export { codecFor, enumName, enumNames, recordFields, EncodeError, type Codec, type CodecOptions, type CValue, type FieldLayout } from './codec.js';
export { TypedTable, PerCpuTypedTable, EventTable, typedTable, btfMapTypes, type TableTypes, type AnyTypedTable,
  type OpenPerfBufferOptions, type Writer } from './typed.js';
export { log2HistText, linearHistText, jsonHist, jsonHistText, log2HistOfEntries, linearHistOfEntries, jsonHistsOfEntries,
  jsonHistOfEntriesText, pyRepr, LOG2_INDEX_MAX, LINEAR_INDEX_MAX, type Count, type HistOptions, type JsonHistOptions,
  type JsonHist, type JsonHistBucket, type JsonHistFormat } from './hist.js';
export { StackTraces, sym, setUserSymbolizer, type UserSymbolizer, type UserSymbol, type StackFrame, type SymOptions,
  type StackTracesOptions } from './stack.js';
