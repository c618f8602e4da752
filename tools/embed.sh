#!/bin/sh
# Turns a file into a C array: embed.sh SYMBOL FILE > out.c
# (so the topology page ships inside the binary; no xxd needed).
set -eu
sym=$1
file=$2
echo "/* Generated from $file by tools/embed.sh; do not edit. */"
echo "#include <stddef.h>"
echo "const unsigned char ${sym}[] = {"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
echo "0x00 };"
echo "const size_t ${sym}_len = sizeof(${sym}) - 1;"
