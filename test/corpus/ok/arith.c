/* Integer constant expressions: promotions, usual arithmetic conversions, wrapping, folding. */
_Static_assert(1 + 2 * 3 == 7, "precedence");
_Static_assert((1 << 31) < 0, "int shift into sign bit");
_Static_assert(-1 < 0u == 0, "int converts to unsigned int");
_Static_assert(-1 < 0ul == 0, "to unsigned long");
_Static_assert(-1L < 0u, "unsigned int converts to long");
_Static_assert((unsigned char)300 == 44, "narrowing cast wraps");
_Static_assert((signed char)200 == -56, "signed narrowing");
_Static_assert(sizeof(1 + (char)1) == 4, "char promotes to int");
_Static_assert(sizeof(1u + 1l) == 8, "unsigned int + long is long");
_Static_assert(sizeof('a') == 4, "char constants are int");
_Static_assert(-7 / 2 == -3 && -7 % 2 == -1, "division truncates toward zero");
_Static_assert(0xffffffffu + 1 == 0, "unsigned wraps");
_Static_assert(0xffffffff == 4294967295u, "hex literal is unsigned int");
_Static_assert(sizeof(0xffffffff) == 4 && sizeof(4294967296) == 8, "literal types");
_Static_assert(sizeof(2147483648) == 8, "decimal literal too big for int is long");
_Static_assert(~0u >> 31 == 1, "bitwise");
_Static_assert((1 ? 2 : 3) == 2 && (0 ?: 5) == 5, "conditional and GNU ?:");
_Static_assert(!0 == 1 && !5 == 0, "logical not");
_Static_assert((3 > 2) + (2 >= 2) + (1 != 1) == 2, "comparisons are int 0/1");
_Static_assert(sizeof(u64) == 8 && sizeof(u32) == 4 && sizeof(s16) == 2, "kernel typedefs");
_Static_assert(__builtin_constant_p(3 * 4) && !__builtin_constant_p(0 ? 1 : 0 + sizeof(int) * 0 == 1 ? 0 : 0) + 1, "constant_p");
_Static_assert(__builtin_types_compatible_p(u32, unsigned int), "typedef compatibility");
_Static_assert(!__builtin_types_compatible_p(long, long long), "long and long long are different types");
enum { A = 1 << 4, B, C = A | B, D = -1 };
_Static_assert(B == 17 && C == 17 && D < 0, "enumerators");
enum big { HUGE = 0x100000000ULL };
_Static_assert(sizeof(enum big) == 8, "an enum that needs 64 bits");

int arith(int a, unsigned b, long c) {
  int x = a * 3 + (b >> 2) - c % 7;
  x <<= 1;
  x |= a & 0xff;
  x ^= ~b;
  return x ? x : -x;
}
