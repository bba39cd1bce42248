#!/bin/sh
# Prints the most frequent words of a text as the aci-wordcount sample does: a Python-style list of
# (word, count) tuples. NumWords (default 10) and MinLength (default 0); the text is $1 or /hamlet.txt.
n="${NumWords:-10}"
min="${MinLength:-0}"
tr -cs "A-Za-z'" '\n' < "${1:-/hamlet.txt}" | awk -v min="$min" 'length($0) >= min && length($0) > 0' \
  | sort | uniq -c | sort -k1,1nr -k2,2 | head -n "$n" \
  | awk 'BEGIN { printf "[" } { printf "%s(\x27%s\x27, %d)", (NR > 1 ? ", " : ""), $2, $1 } END { print "]" }'
