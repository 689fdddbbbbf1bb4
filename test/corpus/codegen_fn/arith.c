/* Integer arithmetic of every width and signedness, conversions, shifts, division. */
u64 fn(u64 a, u64 b, u64 c, u64 d) {
  u8 x8 = (u8)a; s8 y8 = (s8)b; u16 x16 = (u16)c; s16 y16 = (s16)d;
  u32 x32 = (u32)a * 2654435761u; s32 y32 = (s32)b;
  s64 z = (s64)c;
  u64 r = 0;
  r += x8 + y8;                       /* int arithmetic, sign extension */
  r ^= (u64)((u32)x16 * (u32)(s32)y16);
  r += x32 >> (b & 31);
  r += (u64)(y32 >> (a & 31));        /* arithmetic shift */
  r += y32 ? (u64)(z / (y32 == -1 ? 1 : y32)) : 0;
  r += d ? c % d : c;
  r += (u64)((s64)(s32)x32 % 7);
  r = r * 31 + (x8 << 3) - ((u8)y8 << 1u);
  r += (a < b) + (y8 < x8) * 2 + ((s32)a < y32) * 4 + (x16 >= (u16)d) * 8;
  r += (u32)0 - x32 + ~x16 + !a + -y8;
  return r;
}
