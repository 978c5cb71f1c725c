#!/bin/sh
# bench/lang_eval.sh [PARLEY [SET]]: recall and false positives per language on
# bench/SET (default languages.tsv; languages-test.tsv is held out): docs/MODERATION.md. A comment counts as
# caught when the engine holds or refuses it. Prints one line per language,
# then the misses and false positives.
set -eu
bin=${1:-build/parley}
set_=${2:-languages.tsv}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -F'\t' '!/^#/ { print NR "\t" $3 }' "$here/$set_" > "$tmp/in.tsv"
"$bin" check --tsv "$tmp/in.tsv" > "$tmp/out.tsv"
awk -F'\t' '
  NR == FNR { if ($0 !~ /^#/) { lang[FNR] = $1; label[FNR] = $2; text[FNR] = $3 } next }
  {
    n = $1; l = lang[n]; caught = $2 != "publish"
    if (!(l in seen)) { seen[l] = 1; order[++nl] = l }
    if (label[n] == "abuse") { abuse[l]++; if (caught) tp[l]++; else notes = notes "miss\t" l "\t" text[n] "\n" }
    else { ok[l]++; if (caught) { fp[l]++; notes = notes "false positive\t" l "\t" $2 " " $3 "\t" text[n] "\n" } }
  }
  END {
    printf "%-4s %8s %16s\n", "lang", "recall", "false positives"
    for (i = 1; i <= nl; i++) { l = order[i]; ta += abuse[l]; tt += tp[l]; to += ok[l]; tf += fp[l]
      printf "%-4s %3d/%-4d %6d/%-4d\n", l, tp[l], abuse[l], fp[l], ok[l] }
    printf "%-4s %3d/%-4d %6d/%-4d\n", "all", tt, ta, tf, to
    printf "%s", notes
  }' "$here/$set_" "$tmp/out.tsv"
