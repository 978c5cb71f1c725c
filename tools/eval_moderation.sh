#!/bin/sh
# tools/eval_moderation.sh: evaluates the whole moderation engine with
# `parley check --tsv` on the test splits of the public corpora and prints
# Markdown tables (docs/MODERATION.md and bench/RESULTS.md record runs):
# HateCheck per functionality, the OLID test set (subtask A), the Kaggle
# insults test set, the news-comment view (Civil Comments test rows and the
# toxic spans test posts), every other corpus with a test split (the test
# comments come from `evalmodel --dump-test`, which reads them with
# tools/corpora.c exactly as the model's evaluation does), the Wikipedia
# identity-bias sets and the Fox News comments (with jq).
#
# Usage: tools/eval_moderation.sh [DATA_DIR] [CONFIG]
#    or: DATA=DIR tools/eval_moderation.sh [-] [CONFIG]
# DATA_DIR holds the public data sets, one folder per set (data/README.md
# names each one and where it comes from); it defaults to $DATA, then to
# ../shared/data or ../../shared/data (a worktree); "-" keeps that default.
# CONFIG is a Parley config file passed to `parley check --config` (for
# example one with `moderation.classifier = off` to judge the lexicon alone).
# A comment counts as flagged when the engine holds or rejects it; for
# HateCheck the "hate rules" column counts only slur, personal_attack,
# harassment and identity_hate, the rules about people, apart from profanity.
set -eu
DATA_ARG=${1:-}
[ "$DATA_ARG" = - ] && DATA_ARG=
DATA=${DATA_ARG:-${DATA:-}}
if [ -z "$DATA" ]; then # beside the checkout, or beside its parent for a worktree
    for d in ../shared/data ../../shared/data; do [ -d "$d" ] && DATA=$d && break; done
fi
DATA=${DATA:-../shared/data}
# The files every run needs; the identity-bias and Fox News tables are left
# out when their sets are absent (Fox News also needs jq).
missing=
for f in hatecheck/test_suite_cases.csv olid/testset-levela.tsv olid/labels-levela.csv \
    kaggle-insults-2012/test_with_solutions.csv; do
    [ -f "$DATA/$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
    echo "eval_moderation.sh: the data directory $DATA lacks:" >&2
    for f in $missing; do echo "  $DATA/$f" >&2; done
    echo "Name the directory as the first argument or with DATA=DIR; data/README.md says" >&2
    echo "where each data set comes from." >&2
    exit 2
fi
CONFIG=${2:-}
OUT=build/eval
mkdir -p "$OUT"
make -s build/parley build/tools/csv2tsv build/tools/evalmodel >/dev/null
C=build/tools/csv2tsv
check() {
    if [ -n "$CONFIG" ]; then build/parley check --config "$CONFIG" "$@"; else build/parley check "$@"; fi
}

# ---- HateCheck ---------------------------------------------------------------
$C "$DATA/hatecheck/test_suite_cases.csv" case_id functionality label_gold > "$OUT/hc_key.tsv"
$C "$DATA/hatecheck/test_suite_cases.csv" case_id test_case > "$OUT/hc_in.tsv"
check --tsv "$OUT/hc_in.tsv" > "$OUT/hc_out.tsv"
echo "### HateCheck per functionality"
echo
echo "| functionality | gold | cases | held or rejected | hate rules (slur, attack, harassment, identity hate) | most frequent rule |"
echo "|---|---|---:|---:|---:|---|"
paste "$OUT/hc_key.tsv" "$OUT/hc_out.tsv" | awk -F'\t' '
{ f = $2; n[f]++; gold[f] = $3; if ($5 != "publish") fl[f]++
  if ($6 ~ /slur|personal_attack|harassment|identity_hate/) hr[f]++
  if ($6 != "-") { k = split($6, r, ","); for (i = 1; i <= k; i++) rc[f SUBSEP r[i]]++ } }
END { for (f in n) { best = "-"; bc = 0
        for (key in rc) { split(key, p, SUBSEP); if (p[1] == f && rc[key] > bc) { bc = rc[key]; best = p[2] } }
        printf "| %s | %s | %d | %.1f%% | %.1f%% | %s |\n", f, gold[f], n[f], 100*fl[f]/n[f], 100*hr[f]/n[f], best } }' | sort
paste "$OUT/hc_key.tsv" "$OUT/hc_out.tsv" | awk -F'\t' '
{ h = ($3 == "hateful"); f = ($5 != "publish"); t[h]++; c[h] += f }
END { printf "\nHateCheck overall: hateful cases flagged %.1f%% (%d/%d); non-hateful cases flagged %.1f%% (%d/%d)\n\n", 100*c[1]/t[1], c[1], t[1], 100*c[0]/t[0], c[0], t[0] }'

# ---- macro-F1 of a binary task -------------------------------------------------
# input: gold(1/0) <TAB> decision
f1() {
    awk -F'\t' -v name="$1" '
    { g = $1; p = ($2 != "publish"); if (g && p) tp++; else if (!g && p) fp++; else if (g && !p) fn++; else tn++ }
    END { p1 = tp/(tp+fp+1e-9); r1 = tp/(tp+fn+1e-9); f1 = 2*p1*r1/(p1+r1+1e-9)
          p0 = tn/(tn+fn+1e-9); r0 = tn/(tn+fp+1e-9); f0 = 2*p0*r0/(p0+r0+1e-9)
          printf "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |\n", name, NR, p1, r1, f1, f0, (f1+f0)/2 }'
}

echo "### OLID and Kaggle insults (flagged = held or rejected)"
echo
echo "| set | comments | precision (offensive) | recall (offensive) | F1 (offensive) | F1 (not) | macro-F1 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
# OLID subtask A: test tweets and gold labels (CSV with CRLF).
tail -n +2 "$DATA/olid/testset-levela.tsv" > "$OUT/olid_in.tsv"
check --tsv "$OUT/olid_in.tsv" > "$OUT/olid_out.tsv"
tr -d '\r' < "$DATA/olid/labels-levela.csv" | tail -n +2 | awk -F, '{ print $1 "\t" ($2 == "OFF") }' > "$OUT/olid_key.tsv"
awk -F'\t' 'NR == FNR { g[$1] = $2; next } ($1 in g) { print g[$1] "\t" $2 }' "$OUT/olid_key.tsv" "$OUT/olid_out.tsv" | f1 "OLID A test"
# Kaggle insults, test_with_solutions.
$C --unescape "$DATA/kaggle-insults-2012/test_with_solutions.csv" '#' Comment > "$OUT/kaggle_in.tsv"
$C "$DATA/kaggle-insults-2012/test_with_solutions.csv" '#' Insult > "$OUT/kaggle_key.tsv"
check --tsv "$OUT/kaggle_in.tsv" > "$OUT/kaggle_out.tsv"
paste "$OUT/kaggle_key.tsv" "$OUT/kaggle_out.tsv" | awk -F'\t' '{ print $2 "\t" $4 }' | f1 "Kaggle insults test"

# ---- every corpus with a test split ------------------------------------------------
# The test comments of each corpus as tools/corpora.c reads them (HateCheck, the bias sets and
# the Fox News file have their own sections). A comment is toxic when its TOXICITY label is >= 0.5
# (a crowd share for Civil Comments and the raw toxic spans).
TESTS=olid,kaggle-insults,civil,civil-seed,toxic-spans,toxic-spans-raw,cad,ghc,edos,convabuse
TESTS=$TESTS,tweeteval-hate,hasoc,davidson,implicit-hate,stormfront,toxigen,hatexplain,ruddit
TESTS=$TESTS,wiki-talk,jigsaw-sample
build/tools/evalmodel --data "$DATA" --dump-test "$TESTS" "$OUT/tests" 2>/dev/null
check --tsv "$OUT/tests.tsv" > "$OUT/tests_out.tsv"
# key: id corpus toxic group; out: id decision rules -> corpus toxic decision
awk -F'\t' 'NR == FNR { k[$1] = $2 "\t" $3; next } ($1 in k) { print k[$1] "\t" $2 }' \
    "$OUT/tests.key" "$OUT/tests_out.tsv" > "$OUT/tests_joined.tsv"
echo
echo "### News comments (Civil Comments test rows: civil + civil-seed; toxic spans test posts)"
echo
echo "| set | comments | toxic | toxic held or rejected | clean held | clean rejected |"
echo "|---|---:|---:|---:|---:|---:|"
awk -F'\t' '
function row(name, n, t, tf, c, ch, cr) {
    printf "| %s | %d | %d | %s | %s | %s |\n", name, n, t, pc(tf, t), pc(ch, c), pc(cr, c) }
function pc(a, b) { return b > 0 ? sprintf("%.1f%%", 100 * a / b) : "-" }
$2 >= 0 { news = ($1 == "civil" || $1 == "civil-seed"); spans = ($1 == "toxic-spans")
    if (!news && !spans) next
    k = news ? "n" : "s"; n[k]++
    if ($2 == 1) { t[k]++; if ($3 != "publish") tf[k]++ }
    else { c[k]++; if ($3 == "hold") ch[k]++; if ($3 == "reject") cr[k]++ } }
END { row("Civil Comments test rows", n["n"], t["n"], tf["n"], c["n"], ch["n"], cr["n"])
      row("toxic spans test posts (all toxic)", n["s"], t["s"], tf["s"], c["s"], ch["s"], cr["s"]) }' \
    "$OUT/tests_joined.tsv"
echo
echo "### Test split of every corpus (flagged = held or rejected)"
echo
echo "| corpus | comments | toxic | toxic flagged | clean held | clean rejected | macro-F1 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -F'\t' '
function pc(a, b) { return b > 0 ? sprintf("%.1f%%", 100 * a / b) : "-" }
function f1(tp, fp, fn, tn,   a, b) {
    a = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0; b = tn > 0 ? 2 * tn / (2 * tn + fn + fp) : 0
    return (a + b) / 2 }
$2 >= 0 { c = $1; if (!(c in n)) order[++m] = c; n[c]++; f = ($3 != "publish")
    if ($2 == 1) { t[c]++; tp[c] += f } else { cl[c]++; fp[c] += f; h[c] += ($3 == "hold"); r[c] += ($3 == "reject") } }
END { for (i = 1; i <= m; i++) { c = order[i]
        mf = (t[c] > 0 && cl[c] > 0) ? sprintf("%.3f", f1(tp[c], fp[c], t[c] - tp[c], cl[c] - fp[c])) : "-"
        printf "| %s | %d | %d | %s | %s | %s | %s |\n", c, n[c], t[c], pc(tp[c], t[c]), pc(h[c], cl[c]), pc(r[c], cl[c]), mf } }' \
    "$OUT/tests_joined.tsv"

# ---- identity bias ---------------------------------------------------------------
# Wikipedia talk comments with identity terms (Dixon et al. 2018; the fuzzed set swaps the identity
# terms) and the bias madlibs ("Muslims are wonderful", "I hate trans"): how often the engine, and
# the identity_hate rule alone, flags each label. A rule about groups must leave neutral mentions
# alone.
W="$DATA/wikipedia-toxicity-bias-eval"
if [ -d "$W" ]; then
    echo
    echo "### Identity bias (flagged = held or rejected)"
    echo
    echo "| set | label | comments | flagged | identity_hate |"
    echo "|---|---|---:|---:|---:|"
    bias() { # name csv id-column text-column label-column
        $C --unescape "$2" "$3" "$4" > "$OUT/bias_in.tsv"
        $C "$2" "$3" "$5" > "$OUT/bias_key.tsv"
        check --tsv "$OUT/bias_in.tsv" > "$OUT/bias_out.tsv"
        paste "$OUT/bias_key.tsv" "$OUT/bias_out.tsv" | awk -F'\t' -v name="$1" '
        { l = $2; n[l]++; if ($4 != "publish") f[l]++; if ($5 ~ /identity_hate/) ih[l]++ }
        END { for (l in n) printf "| %s | %s | %d | %.1f%% | %.1f%% |\n", name, l, n[l], 100*f[l]/n[l], 100*ih[l]/n[l] }' | sort
    }
    bias "Wikipedia identity test" "$W/toxicity_nonfuzzed_testset.csv" rev_id comment toxic
    bias "Wikipedia identity test, fuzzed" "$W/toxicity_fuzzed_testset.csv" rev_id comment toxic
    bias "bias madlibs" "$W/bias_madlibs_77k.csv" '#' Text Label
fi
# Fox News reader comments labelled hateful or not (Gao & Huang 2017): real news-site comments.
F="$DATA/fox-news-comments/fox-news-comments.json"
if [ -f "$F" ] && command -v jq >/dev/null; then
    jq -r '[input_line_number, (.text | gsub("[\t\r\n]"; " "))] | @tsv' "$F" > "$OUT/fox_in.tsv"
    jq -r '[input_line_number, (if .label == 1 then "hateful" else "not" end)] | @tsv' "$F" > "$OUT/fox_key.tsv"
    check --tsv "$OUT/fox_in.tsv" > "$OUT/fox_out.tsv"
    paste "$OUT/fox_key.tsv" "$OUT/fox_out.tsv" | awk -F'\t' '
    { l = $2; n[l]++; if ($4 != "publish") f[l]++; if ($5 ~ /identity_hate/) ih[l]++ }
    END { for (l in n) printf "| Fox News comments | %s | %d | %.1f%% | %.1f%% |\n", l, n[l], 100*f[l]/n[l], 100*ih[l]/n[l] }' | sort
fi
