# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
# Writes OUT, a C file defining `const char NAME[]` (IN's bytes, then a
# NUL) and `const size_t NAME_len`, so a data file ships inside the
# library and the program needs no installed path to find it.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
# Each byte a hex escape closed by "" (an escape would swallow a following
# hex digit), one source line per line of the file.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1\"\"" body "${hex}")
string(REPLACE "\\x0a\"\"" "\\x0a\"\n\"" body "${body}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by lib/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n"
  "const char ${NAME}[] = \"${body}\";\n"
  "const size_t ${NAME}_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
