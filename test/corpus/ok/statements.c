/* Statements and declarations of every kind. */
static inline __attribute__((always_inline)) u32 hash(u32 x) { return x * 2654435761u; }
static int table[8] = { [2] = 5, [4 ... 6] = 1 };
static const char msg[] = "hello";
_Static_assert(sizeof(msg) == 6, "string length");
struct pt { int x, y; };
static struct pt origin = { .y = 2, .x = 1 };
static struct pt pts[] = { { 1, 2 }, { .x = 3 }, [4] = { 5, 6 } };
_Static_assert(sizeof(pts) / sizeof(pts[0]) == 5, "array size from initializer");

int control(int n) {
  int s = 0, i;
  for (i = 0; i < n; i++) {
    if (i == 3) continue;
    if (i > 10) break;
    s += table[i & 7];
  }
  #pragma unroll
  for (int j = 0; j < 4; j++) s ^= hash(j);
  while (n-- > 0) s++;
  do { s--; } while (s > 100);
  switch (n) {
  case 0: s = 1; break;
  case 1 ... 3: s = 2; /* fall through */
  case 10: s += 1; break;
  default: break;
  }
  if (s < 0) goto out;
  s = ({ int t = s * 2; t + 1; });
  s += (struct pt){ .x = 4 }.x + origin.x + pts[4].y + msg[0];
out:
  return s;
}

typedef int (*cb_t)(int);
static int apply(cb_t f, int v) { return f(v); }
static int twice(int v) { return v * 2; }
int use(void) { return apply(twice, 3) + apply(&twice, 4); }
