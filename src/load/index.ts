export { Program, loadProgram, VerifierError, verifierReason, verifierSource, formatVerifierError, type ProgramSpec } from './program.js';
export { loadObject, LoadedObject, type ObjectSpec, type ProgramDef, type MapDef, type GlobalDef, type LoadOptions } from './object.js';
