/* Syntax errors: the parser reports each and recovers at the next statement or declaration. */
int a(void) {
  int x = ;                  // expect: error: expected an expression, found ';'
  return x                   // expect: error: expected ';' after 'return'
}
int b(void) { return (1 + ; } // expect: error: expected an expression, found ';'
foo_t bad;                   // expect: error: unknown type name 'foo_t'
int c(void) { return 0; }
