// One-line errors for the networking hooks: what was being done, to which interface or path, and
// for EPERM the capability that is missing.
import { isErrno } from '../sys/index.js';
import { NetlinkError } from '../netlink/index.js';

/** Rethrow e with `what` in front; privilege errors name the capability the hook needs. */
export function netError(e: unknown, what: string, capability = 'CAP_NET_ADMIN'): Error {
  if (!(e instanceof Error)) return new Error(`${what}: ${String(e)}`);
  const code = (e as { code?: string }).code;
  if (!(isErrno(e) || e instanceof NetlinkError)) return e;
  const reason = e instanceof NetlinkError ? e.reason : e.message;
  const hint = code === 'EPERM' || code === 'EACCES' ? ` — needs root or ${capability}` : '';
  const err = new Error(`${what}: ${reason}${hint}`) as Error & { code?: string; errno?: number };
  err.code = code;
  err.errno = (e as { errno?: number }).errno;
  return err;
}
