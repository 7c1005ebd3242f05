#!/bin/sh
# Compile the public header on its own, as C99 and as C++, pedantic -Werror.
set -eu
inc=$1 out=$2
printf '#include "snapdir.h"\nint main(void) { return snapdir_version() ? 0 : 1; }\n' >"$out/headertest.c"
cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$inc" -c "$out/headertest.c" -o "$out/headertest_c.o"
cp "$out/headertest.c" "$out/headertest.cpp"
c++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$inc" -c "$out/headertest.cpp" -o "$out/headertest_cpp.o"
echo "headertest: C99 and C++ compile cleanly"
