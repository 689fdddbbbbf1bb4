/* Record layout: the same _Static_asserts hold under gcc and tsbcc. */
#include <stddef.h>
struct event { u32 pid; u32 tgid; u64 ts; char comm[16]; u8 flag; };
_Static_assert(sizeof(struct event) == 40 && offsetof(struct event, comm) == 16 && offsetof(struct event, flag) == 32, "event");
struct mixed { char c; short s; char d; int i; char e; long l; char f; };
_Static_assert(sizeof(struct mixed) == 32 && offsetof(struct mixed, i) == 8 && offsetof(struct mixed, l) == 16, "mixed");
struct bits { unsigned a: 3; unsigned b: 7; unsigned : 0; unsigned c: 1; u8 d: 4; u64 e: 40; };
_Static_assert(sizeof(struct bits) == 16, "bitfields");
struct __attribute__((packed)) packed { u8 a; u32 b; u16 c; };
_Static_assert(sizeof(struct packed) == 7 && offsetof(struct packed, b) == 1, "packed");
struct aligned { u8 a; u32 b __attribute__((aligned(16))); } __attribute__((aligned(32)));
_Static_assert(sizeof(struct aligned) == 32 && offsetof(struct aligned, b) == 16 && _Alignof(struct aligned) == 32, "aligned");
struct flex { u32 n; u64 items[]; };
_Static_assert(sizeof(struct flex) == 8 && offsetof(struct flex, items) == 8, "flexible array");
struct anon { int kind; union { u32 v4; u8 v6[16]; }; struct { u16 sport, dport; }; };
_Static_assert(sizeof(struct anon) == 24 && offsetof(struct anon, v6) == 4 && offsetof(struct anon, dport) == 22, "anonymous members");
union u { u8 b[3]; u32 w; u64 q; };
_Static_assert(sizeof(union u) == 8 && _Alignof(union u) == 8, "union");
struct nested { struct event e; struct anon a[2]; };
_Static_assert(sizeof(struct nested) == 88 && offsetof(struct nested, a[1].dport) == 86, "nested with array index");
typedef struct { u64 slot; } hist_key_t;
_Static_assert(sizeof(hist_key_t) == 8, "typedef'd anonymous struct");
struct key_t { u32 prev_pid; u32 curr_pid; char name[16]; int user_stack_id, kernel_stack_id; };
_Static_assert(sizeof(struct key_t) == 32, "a profile key");
struct zero { int x; int : 0; char y; };
_Static_assert(sizeof(struct zero) == 8, "zero-width bitfield");
struct boolbits { _Bool a: 1; _Bool b: 1; u64 c: 62; };
_Static_assert(sizeof(struct boolbits) == 8, "bool bitfields");
