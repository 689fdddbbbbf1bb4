// The preprocessor stage: C text to the tokens the parser reads.
export { preprocess, SUPPORTED_BUILTINS, type PreprocessOptions } from './preprocessor.js';
export { Lexer, PPToken, tokenize, singleTokenKind, type HideSet, type LexOptions } from './lexer.js';
export { evalCondition, parseIntegerConstant, parseCharConstant } from './expr.js';
export {
  readKernelConfig, parseKernelConfig, kernelConfigFound, kernelConfigSource, kernelVersionCode, runningKernelVersionCode,
} from './kconfig.js';
