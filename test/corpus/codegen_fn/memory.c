/* Arrays, structs, bitfields, pointers into the stack, designated initializers, compound literals. */
struct rec { u8 tag; u16 len: 10, flags: 6; s32 val; u64 wide; struct { u8 a, b; } pair; };
static inline void bump(u32 *p, u32 by) { *p += by; }
u64 fn(u64 a, u64 b, u64 c, u64 d) {
  u32 arr[8] = { 1, 2, [5] = 9 };
  struct rec r = { .tag = (u8)a, .val = -3, .pair = { 7, 8 } };
  struct rec *p = &r;
  u32 *q = &arr[2];
  int i;
  r.len = (u16)b;
  r.flags = (u16)(c >> 3);
  p->wide = d * 3;
  for (i = 0; i < 8; i++) arr[i] += (u32)(a >> i) & 0xff;
  bump(&arr[(b & 7)], 100);
  *q = q[1] + arr[7];
  q[-1] ^= 0x55;
  u64 sum = 0;
  for (i = 0; i < 8; i++) sum = sum * 131 + arr[i];
  sum += r.tag + r.len * 3 + r.flags * 5 + (u64)(s64)p->val + p->wide + r.pair.a * r.pair.b;
  sum += (struct rec){ .tag = 200 }.tag + sizeof(struct rec);
  return sum;
}
