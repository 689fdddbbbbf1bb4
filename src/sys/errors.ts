// Errors from system calls, and the sentinel for "this kernel cannot do that".

/** An error thrown by the native addon: `code` is the errno name, `errno` the number. */
export interface ErrnoError extends Error {
  code: string;
  errno: number;
  syscall?: string;
}

export function isErrno(e: unknown, ...codes: string[]): e is ErrnoError {
  return e instanceof Error && typeof (e as ErrnoError).code === 'string' &&
    (codes.length === 0 || codes.includes((e as ErrnoError).code));
}

/** Whatever the kernel or machine lacks: a program/map/link type, a helper, a hook. Fallbacks key on it. */
export class NotSupportedError extends Error {
  override readonly name = 'NotSupportedError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

const PRIVILEGE_HINT =
  'tsbcc needs root, or CAP_BPF + CAP_PERFMON (and CAP_NET_ADMIN for networking hooks)';

/** Rethrow a syscall error with what was being done; EPERM gets the privilege hint. */
export function explain(e: unknown, what: string): Error {
  if (!isErrno(e)) return e instanceof Error ? e : new Error(String(e));
  const extra = e.code === 'EPERM' || e.code === 'EACCES' ? ` — ${PRIVILEGE_HINT}` : '';
  const err = new Error(`${what}: ${e.message}${extra}`) as ErrnoError;
  err.code = e.code;
  err.errno = e.errno;
  err.syscall = e.syscall;
  return err;
}
