#include <linux/no_such_header_in_tsbcc.h>   /* kernel-style names are empty headers: types come from BTF */
#include "missing_local_file.h"  // expect: error: 'missing_local_file.h' file not found
#if 1 +                          // expect: error: .*
#endif
#error this is on purpose        // expect: error: this is on purpose
int x = IFNAMSIZ_NOT_A_THING;    // expect: error: use of undeclared identifier 'IFNAMSIZ_NOT_A_THING'
