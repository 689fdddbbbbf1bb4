export { Program, loadProgram, VerifierError, verifierReason, formatVerifierError, type ProgramSpec } from './program.js';
