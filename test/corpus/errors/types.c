/* Each line marked `expect:` must produce a diagnostic matching the text; no others may appear. */
struct s { int a; int b; };
int f(int x);
void types(struct s *p, int *ip) {
  int v = p->c;              // expect: error: no member named 'c' in 'struct s'; did you mean 'a'\?
  int w = p.a;               // expect: error: member reference type 'struct s \*' is a pointer; did you mean to use '->'\?
  struct s q = 1;            // expect: error: initializing 'struct s' requires an initializer list
  undeclared_thing = 3;      // expect: error: use of undeclared identifier 'undeclared_thing'
  int r = f(1, 2);           // expect: error: too many arguments to function call 'f', expected 1, have 2
  int t = f();               // expect: error: too few arguments to function call 'f', expected 1, have 0
  const int k = 1;
  k = 2;                     // expect: error: cannot assign to variable 'k' with const-qualified type 'const int'
  5 = v;                     // expect: error: expression is not assignable
  int *z = *v;               // expect: error: indirection requires pointer operand \('int' invalid\)
  missing_fn(1);             // expect: error: call to undeclared function 'missing_fn'
  int arr[v];                // expect: error: variable-length arrays are not supported in BPF programs
  struct nope *np = 0;
  int y = np->x;             // expect: error: incomplete definition of type 'struct nope'
  break;                     // expect: error: 'break' statement not in loop or switch statement
  switch (v) { case 1: case 1: break; }  // expect: error: duplicate case value '1'
  goto nowhere;              // expect: error: use of undeclared label 'nowhere'
  int u = sizeof(struct nope); // expect: error: invalid application of 'sizeof' to an incomplete type 'struct nope'
}
_Static_assert(sizeof(int) == 8, "int is 4 bytes"); // expect: error: static assertion failed: int is 4 bytes
int redefined;
long redefined;              // expect: error: conflicting types for 'redefined'
struct bf { int x: 40; };    // expect: error: width of bit-field 'x' \(40 bits\) exceeds the width of its type \(32 bits\)
int bad_return(void) { return; } // expect: error: non-void function 'bad_return' should return a value
