/* Preprocessor features a real program uses. */
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define STR(x) #x
#define CAT(a, b) a##b
#define LOG(fmt, ...) log_it(fmt, ##__VA_ARGS__)
#define KERNEL_VERSION_CHECK (LINUX_VERSION_CODE >= KERNEL_VERSION(4, 0, 0))
#if (defined(__x86_64__) || defined(__bpf__)) && KERNEL_VERSION_CHECK && !defined(NOT_DEFINED)
#define ARCH_OK 1
#else
#define ARCH_OK 0
#endif
_Static_assert(ARCH_OK, "x86_64 or bpf, and a 4.x+ kernel");
_Static_assert(MAX(3, 7) == 7, "function-like macro");
_Static_assert(sizeof(STR(abc)) == 4, "stringize");
static int CAT(val, ue) = 3;
static int log_it(const char *fmt, ...) { return fmt[0]; }
int m(void) { return LOG("x") + LOG("%d", value) + __LINE__; }
