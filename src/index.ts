// tsbcc: the public API.
export * as isa from './isa/index.js';
export * as asm from './isa/asm.js';
export * as sys from './sys/index.js';
export { NotSupportedError, isErrno, features } from './sys/index.js';
export * from './load/index.js';
export * from './maps/index.js';
export * from './attach/index.js';
export * from './events/index.js';
