/* Pointer arithmetic, decay, casts, address constants. */
struct item { u64 key; u32 val; };
static struct item items[4];
static struct item *first = &items[0];
static u32 *val_of_last = &items[3].val;
_Static_assert(sizeof(items) == 64, "array of structs");

long ptrs(struct item *p, void *raw, char *s) {
  struct item *q = p + 2;
  long d = q - p;                 /* ptrdiff: 2 */
  u64 *k = &q->key;
  char *c = (char *)raw + 8;
  u32 v = ((struct item *)raw)->val + (*k & 0xff) + s[1] + *(s + 2);
  const char *cs = s;
  void *back = p;
  int eq = q != 0 && p == back && cs;
  __builtin_memset(p, 0, sizeof(*p));
  __builtin_memcpy(raw, p, sizeof(struct item));
  __sync_fetch_and_add(&p->key, 1);
  return d + v + (long)c + eq + (first == items) + *val_of_last;
}
