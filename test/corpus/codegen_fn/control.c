/* Loops, switch with ranges and fallthrough, goto, short-circuit logic, conditional expressions. */
static inline u32 mix(u32 h, u32 v) { h ^= v; h *= 16777619u; return h; }
static inline int classify(s64 v) {
  switch (v & 15) {
  case 0: return 10;
  case 1 ... 3: return 20;
  case 4: v += 1; /* fall through */
  case 5: return (int)v;
  default: break;
  }
  return -1;
}
u64 fn(u64 a, u64 b, u64 c, u64 d) {
  u32 h = 2166136261u;
  int i, j;
  for (i = 0; i < 12; i++) {
    if (i == 5) continue;
    if (i > 9 && a & 1) break;
    h = mix(h, i * (u32)b);
  }
  j = 0;
  while (j < 7 && (c || d)) { h += classify(c + j); j++; }
  do { h = mix(h, j--); } while (j > 3);
  if (a > b || (c == d && !a)) goto big;
  h += a > 10 ? 1 : b > 10 ? 2 : 3;
  return h;
big:
  return (u64)h << 32 | (u32)(a ^ b);
}
