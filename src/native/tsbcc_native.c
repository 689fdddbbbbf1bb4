/*
 * tsbcc native addon: raw Linux system calls over Node-API, nothing else.
 *
 * Every function here is a thin veneer over one system call. Failures throw a
 * JS Error whose `code` is the errno name (EPERM, E2BIG, ...) and whose
 * `errno` is the number; decisions about what an error means live in
 * TypeScript (src/sys/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/syscall.h>
#include <node_api.h>
#include <uv.h>

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, NULL, "tsbcc_native: N-API call failed: " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static const char *errno_name(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
    E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY)
    E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE)
    E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK)
    E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS)
    E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ENODATA) E(ETIME) E(EPROTO)
    E(EBADMSG) E(EOVERFLOW) E(EILSEQ) E(EUSERS) E(ENOTSOCK) E(EDESTADDRREQ)
    E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(EOPNOTSUPP)
    E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN) E(ENETUNREACH)
    E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS) E(EISCONN) E(ENOTCONN)
    E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTUNREACH) E(EALREADY) E(EINPROGRESS)
    E(ESTALE) E(EDQUOT) E(ECANCELED) E(EKEYREJECTED) E(EOWNERDEAD)
    E(ENOTRECOVERABLE) E(ERFKILL) E(EHWPOISON)
#undef E
    case 524: return "ENOTSUPP"; /* kernel-internal, leaks out of bpf() */
    default: return "EUNKNOWN";
  }
}

/* Throw Error(message) with .code = errno name and .errno = number. */
static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), errno_name(err));
  napi_value code, message, error, num;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_set_named_property(env, error, "syscall", (napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &num), num));
  napi_throw(env, error);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "tsbcc_native: too few arguments");
    return -1;
  }
  return 0;
}

static int get_i64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_int64(env, v, out, &lossless) == napi_ok ? 0 : -1;
  }
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "tsbcc_native: expected a number");
    return -1;
  }
  return 0;
}

/* Buffer / TypedArray / ArrayBuffer -> pointer and length. */
static int get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  napi_is_buffer(env, v, &is);
  if (is) return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
  napi_is_typedarray(env, v, &is);
  if (is) {
    napi_typedarray_type type; size_t n; napi_value ab; size_t off;
    if (napi_get_typedarray_info(env, v, &type, &n, data, &ab, &off) != napi_ok) return -1;
    static const size_t sz[] = {1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8};
    *len = n * sz[type];
    return 0;
  }
  napi_is_arraybuffer(env, v, &is);
  if (is) return napi_get_arraybuffer_info(env, v, data, len) == napi_ok ? 0 : -1;
  napi_throw_type_error(env, NULL, "tsbcc_native: expected a Buffer, TypedArray or ArrayBuffer");
  return -1;
}

static napi_value ret_i64(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

/* bpf(cmd, attr: Buffer) -> number. attr is passed by address with its length. */
static napi_value js_bpf(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int64_t cmd; void *attr; size_t len;
  if (get_i64(env, argv[0], &cmd) || get_bytes(env, argv[1], &attr, &len)) return NULL;
  long r;
  do r = syscall(__NR_bpf, (int)cmd, attr, (unsigned int)len);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "bpf");
  return ret_i64(env, r);
}

/* addressOf(buf) -> bigint: the address of a buffer's bytes, for pointers inside bpf attrs. */
static napi_value js_address_of(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  void *p; size_t len;
  if (get_bytes(env, argv[0], &p, &len)) return NULL;
  napi_value r;
  CHECK(napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)p, &r));
  return r;
}

/* perfEventOpen(attr: Buffer, pid, cpu, groupFd, flags) -> fd */
static napi_value js_perf_event_open(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (get_args(env, info, 5, argv)) return NULL;
  void *attr; size_t len; int64_t pid, cpu, group, flags;
  if (get_bytes(env, argv[0], &attr, &len) || get_i64(env, argv[1], &pid) ||
      get_i64(env, argv[2], &cpu) || get_i64(env, argv[3], &group) || get_i64(env, argv[4], &flags))
    return NULL;
  long r = syscall(__NR_perf_event_open, attr, (pid_t)pid, (int)cpu, (int)group, (unsigned long)flags);
  if (r < 0) return throw_errno(env, errno, "perf_event_open");
  return ret_i64(env, r);
}

/* ioctl(fd, request, arg: number | Buffer) -> number */
static napi_value js_ioctl(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  int64_t fd, req; unsigned long arg;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &req)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t == napi_number || t == napi_bigint) {
    int64_t a;
    if (get_i64(env, argv[2], &a)) return NULL;
    arg = (unsigned long)a;
  } else {
    void *p; size_t len;
    if (get_bytes(env, argv[2], &p, &len)) return NULL;
    arg = (unsigned long)p;
  }
  int r = ioctl((int)fd, (unsigned long)req, arg);
  if (r < 0) return throw_errno(env, errno, "ioctl");
  return ret_i64(env, r);
}

/* close(fd) */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  int64_t fd;
  if (get_i64(env, argv[0], &fd)) return NULL;
  if (close((int)fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return NULL;
}

/* mmap: the ArrayBuffer owns the mapping; GC or munmap() releases it. */
struct mapping { void *addr; size_t len; };

static void mapping_finalize(napi_env env, void *data, void *hint) {
  struct mapping *m = hint;
  if (m->addr) munmap(m->addr, m->len);
  free(m);
}

/* mmap(fd, length, prot, flags, offset) -> ArrayBuffer */
static napi_value js_mmap(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (get_args(env, info, 5, argv)) return NULL;
  int64_t fd, len, prot, flags, off;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &len) || get_i64(env, argv[2], &prot) ||
      get_i64(env, argv[3], &flags) || get_i64(env, argv[4], &off))
    return NULL;
  void *p = mmap(NULL, (size_t)len, (int)prot, (int)flags, (int)fd, (off_t)off);
  if (p == MAP_FAILED) return throw_errno(env, errno, "mmap");
  struct mapping *m = malloc(sizeof *m);
  if (!m) { munmap(p, (size_t)len); return throw_errno(env, ENOMEM, "mmap"); }
  m->addr = p; m->len = (size_t)len;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, (size_t)len, mapping_finalize, m, &ab) != napi_ok) {
    munmap(p, (size_t)len); free(m);
    napi_throw_error(env, NULL, "tsbcc_native: cannot wrap mapping in an ArrayBuffer");
    return NULL;
  }
  napi_wrap(env, ab, m, NULL, NULL, NULL); /* lets munmap find the mapping */
  return ab;
}

/* munmap(arrayBuffer): unmap now and detach the buffer so no view can touch it. */
static napi_value js_munmap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  struct mapping *m;
  if (napi_unwrap(env, argv[0], (void **)&m) != napi_ok || !m) {
    napi_throw_type_error(env, NULL, "munmap: not a mapping made by mmap()");
    return NULL;
  }
  if (m->addr) {
    /* Detach first: after it, JS can no longer reach the pages. */
    napi_detach_arraybuffer(env, argv[0]);
    if (munmap(m->addr, m->len) < 0) return throw_errno(env, errno, "munmap");
    m->addr = NULL;
  }
  return NULL;
}

/* Readiness of a file descriptor, delivered on Node's event loop (uv_poll). */
struct watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context ctx; /* made once: a context per wakeup costs more than the drain */
  int events;
  int closed;
};

static void watcher_closed(uv_handle_t *h) {
  free(h->data);
}

/* from_gc: inside a finalizer nothing that may run JS (async destroy hooks) is allowed. */
static void watcher_stop(struct watcher *w, int from_gc) {
  if (w->closed) return;
  w->closed = 1;
  uv_poll_stop(&w->poll);
  napi_delete_reference(w->env, w->callback);
  if (!from_gc && w->ctx) napi_async_destroy(w->env, w->ctx);
  uv_close((uv_handle_t *)&w->poll, watcher_closed);
}

static void watcher_fire(uv_poll_t *h, int status, int events) {
  struct watcher *w = h->data;
  if (w->closed) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, global, argv[2], result;
  napi_get_reference_value(env, w->callback, &cb);
  napi_get_global(env, &global);
  napi_create_int32(env, status, &argv[0]);
  napi_create_int32(env, events, &argv[1]);
  /* napi_make_callback runs microtasks and surfaces exceptions like any other I/O callback. */
  napi_make_callback(env, w->ctx, global, cb, 2, argv, &result);
  napi_close_handle_scope(env, scope);
}

static napi_value js_watcher_stop(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  CHECK(napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  struct watcher *w;
  if (napi_remove_wrap(env, self, (void **)&w) == napi_ok && w) watcher_stop(w, 0);
  return NULL;
}

/* pause(): stop polling for now; resume(): poll again. For readers that batch wakeups. */
static napi_value js_watcher_pause(napi_env env, napi_callback_info info) {
  napi_value self, argv[1];
  size_t argc = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  struct watcher *w;
  if (napi_unwrap(env, self, (void **)&w) != napi_ok || !w || w->closed) return NULL;
  bool pause = true;
  if (argc > 0) napi_get_value_bool(env, argv[0], &pause);
  int r = pause ? uv_poll_stop(&w->poll) : uv_poll_start(&w->poll, w->events, watcher_fire);
  if (r < 0) return throw_errno(env, -r, "uv_poll");
  return NULL;
}

static napi_value js_watcher_ref(napi_env env, napi_callback_info info) {
  napi_value self, argv[1];
  size_t argc = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  struct watcher *w;
  if (napi_unwrap(env, self, (void **)&w) != napi_ok || !w || w->closed) return NULL;
  bool on = true;
  if (argc > 0) napi_get_value_bool(env, argv[0], &on);
  if (on) uv_ref((uv_handle_t *)&w->poll); else uv_unref((uv_handle_t *)&w->poll);
  return NULL;
}

static void watcher_gc(napi_env env, void *data, void *hint) {
  /* The JS object died without stop(): stop polling; the handle frees itself. */
  watcher_stop(data, 1);
}

/* watch(fd, events, callback(status, events)) -> { stop(), ref(bool) } ; events: 1 readable, 2 writable */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  int64_t fd, events;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &events)) return NULL;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  struct watcher *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, ENOMEM, "watch");
  w->env = env;
  int r = uv_poll_init(loop, &w->poll, (int)fd);
  if (r < 0) { free(w); return throw_errno(env, -r, "uv_poll_init"); }
  w->poll.data = w;
  w->events = (int)events;
  napi_value res_name;
  CHECK(napi_create_string_utf8(env, "tsbcc.poll", NAPI_AUTO_LENGTH, &res_name));
  CHECK(napi_async_init(env, NULL, res_name, &w->ctx));
  CHECK(napi_create_reference(env, argv[2], 1, &w->callback));
  r = uv_poll_start(&w->poll, (int)events, watcher_fire);
  if (r < 0) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->ctx);
    w->closed = 1;
    uv_close((uv_handle_t *)&w->poll, watcher_closed);
    return throw_errno(env, -r, "uv_poll_start");
  }
  napi_value obj, fn;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_function(env, "stop", NAPI_AUTO_LENGTH, js_watcher_stop, NULL, &fn));
  CHECK(napi_set_named_property(env, obj, "stop", fn));
  CHECK(napi_create_function(env, "ref", NAPI_AUTO_LENGTH, js_watcher_ref, NULL, &fn));
  CHECK(napi_set_named_property(env, obj, "ref", fn));
  CHECK(napi_create_function(env, "pause", NAPI_AUTO_LENGTH, js_watcher_pause, NULL, &fn));
  CHECK(napi_set_named_property(env, obj, "pause", fn));
  CHECK(napi_wrap(env, obj, w, watcher_gc, NULL, NULL));
  return obj;
}

/* setrlimit(resource, soft, hard); values < 0 mean RLIM_INFINITY */
static napi_value js_setrlimit(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  int64_t res, soft, hard;
  if (get_i64(env, argv[0], &res) || get_i64(env, argv[1], &soft) || get_i64(env, argv[2], &hard)) return NULL;
  struct rlimit rl = {
    .rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t)soft,
    .rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t)hard,
  };
  if (setrlimit((int)res, &rl) < 0) return throw_errno(env, errno, "setrlimit");
  return NULL;
}

/* read(fd, buffer) -> bytes read (0 on EAGAIN for non-blocking fds) */
static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int64_t fd; void *p; size_t len;
  if (get_i64(env, argv[0], &fd) || get_bytes(env, argv[1], &p, &len)) return NULL;
  ssize_t r;
  do r = read((int)fd, p, len);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN) return ret_i64(env, -1);
    return throw_errno(env, errno, "read");
  }
  return ret_i64(env, r);
}

/* mount(source, target, fstype) — for tracefs/bpffs when they are not mounted yet */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  char src[256], tgt[4096], fs[64];
  size_t n;
  if (napi_get_value_string_utf8(env, argv[0], src, sizeof src, &n) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], tgt, sizeof tgt, &n) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], fs, sizeof fs, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "mount: expected strings");
    return NULL;
  }
  if (mount(src, tgt, fs, 0, NULL) < 0) return throw_errno(env, errno, "mount");
  return NULL;
}

/* Optional Buffer argument: null/undefined -> NULL, 0. */
static int get_opt_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) { *data = NULL; *len = 0; return 0; }
  return get_bytes(env, v, data, len);
}

/* socket(domain, type, protocol) -> fd. type may carry SOCK_NONBLOCK / SOCK_CLOEXEC. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  int64_t domain, type, proto;
  if (get_i64(env, argv[0], &domain) || get_i64(env, argv[1], &type) || get_i64(env, argv[2], &proto)) return NULL;
  int fd = socket((int)domain, (int)type, (int)proto);
  if (fd < 0) return throw_errno(env, errno, "socket");
  return ret_i64(env, fd);
}

/* bind(fd, sockaddr: Buffer) */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int64_t fd; void *addr; size_t len;
  if (get_i64(env, argv[0], &fd) || get_bytes(env, argv[1], &addr, &len)) return NULL;
  if (bind((int)fd, addr, (socklen_t)len) < 0) return throw_errno(env, errno, "bind");
  return NULL;
}

/* sendto(fd, data, flags, sockaddr: Buffer | null) -> bytes sent (-1 on EAGAIN) */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv)) return NULL;
  int64_t fd, flags; void *data, *addr; size_t len, alen;
  if (get_i64(env, argv[0], &fd) || get_bytes(env, argv[1], &data, &len) || get_i64(env, argv[2], &flags) ||
      get_opt_bytes(env, argv[3], &addr, &alen))
    return NULL;
  ssize_t r;
  do r = sendto((int)fd, data, len, (int)flags, addr, (socklen_t)alen);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN) return ret_i64(env, -1);
    return throw_errno(env, errno, "sendto");
  }
  return ret_i64(env, r);
}

/* recvfrom(fd, buffer, flags, sockaddr: Buffer | null) -> bytes (-1 on EAGAIN); the sender's address
 * is written into the sockaddr buffer when given. With MSG_TRUNC the real length comes back. */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv)) return NULL;
  int64_t fd, flags; void *data, *addr; size_t len, alen;
  if (get_i64(env, argv[0], &fd) || get_bytes(env, argv[1], &data, &len) || get_i64(env, argv[2], &flags) ||
      get_opt_bytes(env, argv[3], &addr, &alen))
    return NULL;
  socklen_t sl = (socklen_t)alen;
  ssize_t r;
  do r = recvfrom((int)fd, data, len, (int)flags, addr, addr ? &sl : NULL);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN) return ret_i64(env, -1);
    return throw_errno(env, errno, "recvfrom");
  }
  return ret_i64(env, r);
}

/* setsockopt(fd, level, name, value: number (an int) | Buffer) */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv)) return NULL;
  int64_t fd, level, name;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &level) || get_i64(env, argv[2], &name)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  int iv; void *p; size_t len;
  if (t == napi_number || t == napi_bigint) {
    int64_t v;
    if (get_i64(env, argv[3], &v)) return NULL;
    iv = (int)v; p = &iv; len = sizeof iv;
  } else if (get_bytes(env, argv[3], &p, &len)) {
    return NULL;
  }
  if (setsockopt((int)fd, (int)level, (int)name, p, (socklen_t)len) < 0) return throw_errno(env, errno, "setsockopt");
  return NULL;
}

/* getsockopt(fd, level, name, buffer) -> the option's length as the kernel wrote it */
static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv)) return NULL;
  int64_t fd, level, name; void *p; size_t len;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &level) || get_i64(env, argv[2], &name) ||
      get_bytes(env, argv[3], &p, &len))
    return NULL;
  socklen_t sl = (socklen_t)len;
  if (getsockopt((int)fd, (int)level, (int)name, p, &sl) < 0) return throw_errno(env, errno, "getsockopt");
  return ret_i64(env, sl);
}

/* setns(fd, nstype): move the calling thread into a namespace (e.g. a network namespace). */
static napi_value js_setns(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int64_t fd, type;
  if (get_i64(env, argv[0], &fd) || get_i64(env, argv[1], &type)) return NULL;
  if (setns((int)fd, (int)type) < 0) return throw_errno(env, errno, "setns");
  return NULL;
}

#define EXPORT(name, fn)                                                   \
  do {                                                                     \
    napi_value f;                                                          \
    CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f)); \
    CHECK(napi_set_named_property(env, exports, name, f));                 \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT("bpf", js_bpf);
  EXPORT("addressOf", js_address_of);
  EXPORT("perfEventOpen", js_perf_event_open);
  EXPORT("ioctl", js_ioctl);
  EXPORT("close", js_close);
  EXPORT("mmap", js_mmap);
  EXPORT("munmap", js_munmap);
  EXPORT("watch", js_watch);
  EXPORT("setrlimit", js_setrlimit);
  EXPORT("read", js_read);
  EXPORT("mount", js_mount);
  EXPORT("socket", js_socket);
  EXPORT("bind", js_bind);
  EXPORT("sendto", js_sendto);
  EXPORT("recvfrom", js_recvfrom);
  EXPORT("setsockopt", js_setsockopt);
  EXPORT("getsockopt", js_getsockopt);
  EXPORT("setns", js_setns);
  napi_value v;
  napi_create_int32(env, getpagesize(), &v);
  napi_set_named_property(env, exports, "pageSize", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
