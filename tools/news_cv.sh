#!/bin/sh
# tools/news_cv.sh: ranks a training recipe on news comments by N-fold
# cross-validation, because the fixed DEV split holds only 257 of them (94
# toxic) and two seeds of one recipe differ there by as much as any change
# (docs/MODERATION.md, "Training", tenth pass).
#
# Usage: tools/news_cv.sh [-n N] [-j J] [-o DIR] [-p] [-e] [-- TRAIN OPTIONS...]
#   -n N  folds (default 5); -j J  trainings at once (default 2);
#   -p    trains nothing: pools the folds already in DIR again;
#   -e    also judges each fold's comments with the whole engine: the
#         fold's model is linked into a server built in a git worktree
#         (build/news_cv/worktree, at HEAD) and `parley check --tsv`
#         decides them with today's rules and default settings;
#   -o DIR  where the fold models, logs and scores go (default
#           build/news_cv/<the options, joined>).
# Every option after -- goes to build/tools/train unchanged (--seed,
# --filters, --weight, --dropout, --data...). Each fold k runs
#   build/tools/train --news-fold k/N --dump-news DIR/fold-k.tsv
#                     --out DIR/fold-k.model OPTIONS
# so every news-like TRAIN and DEV comment (Civil Comments and Fox News;
# their TEST rows stay unseen) is scored once by a model that did not train
# on it. The pooled figures: ROC AUC of the calibrated TOXICITY score, the
# mean of the folds' own AUCs (on their logits), and the toxic comments
# scored above the clean one at 2, 3 and 5% of the clean comments (what a
# site accepts to hold). Compare recipes on these, with the same -n.
set -eu
N=5 J=2 OUT='' POOL='' ENGINE=''
while [ $# -gt 0 ]; do
    case $1 in
    -n) N=$2; shift 2 ;;
    -j) J=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    -p) POOL=1; shift ;;
    -e) ENGINE=1; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "news_cv.sh: unknown option $1 (train's options go after --)" >&2; exit 2 ;;
    esac
done
case $N in '' | *[!0-9]*) echo "news_cv.sh: -n wants a number" >&2; exit 2 ;; esac
case $J in '' | *[!0-9]* | 0) echo "news_cv.sh: -j wants a positive number" >&2; exit 2 ;; esac
if [ "$N" -lt 2 ] || [ "$N" -gt 20 ]; then
    echo "news_cv.sh: -n wants 2 to 20 folds" >&2
    exit 2
fi
if [ -z "$OUT" ]; then
    tag=$(printf '%s' "${*:-default}" | tr -c 'A-Za-z0-9.=-' '_')
    OUT=build/news_cv/$tag
fi
mkdir -p "$OUT"
make -s build/tools/train >/dev/null

# Folds in waves of J; a failed fold names its log and stops the run.
k=0
[ -n "$POOL" ] && k=$N
while [ "$k" -lt "$N" ]; do
    pids='' w=0
    while [ "$w" -lt "$J" ] && [ "$k" -lt "$N" ]; do
        echo "news_cv.sh: fold $k/$N -> $OUT/fold-$k.log" >&2
        build/tools/train --news-fold "$k/$N" --dump-news "$OUT/fold-$k.tsv" \
            --out "$OUT/fold-$k.model" "$@" >"$OUT/fold-$k.log" 2>&1 &
        pids="$pids $!:$k"
        k=$((k + 1)) w=$((w + 1))
    done
    for pk in $pids; do
        if ! wait "${pk%%:*}"; then
            echo "news_cv.sh: fold ${pk#*:} failed; see $OUT/fold-${pk#*:}.log" >&2
            exit 1
        fi
    done
done

# Pool the folds: columns corpus, label, logit, calibrated score.
cat "$OUT"/fold-*.tsv >"$OUT/pooled.tsv"
folds_auc=$(grep -h 'DEV news-like  *n=' "$OUT"/fold-*.log | sed 's/.*AUC //' |
    awk '{ s += $1; n++ } END { if (n) printf "%.3f", s / n }')
sort -t "$(printf '\t')" -k4,4g "$OUT/pooled.tsv" | awk -F'\t' -v folds="$N" -v fauc="$folds_auc" '
# ROC AUC of the rows whose corpus matches want ("" for all), ties sharing
# their mean rank; the rows are sorted by score, lowest first.
function auc(want,    i, j, k, r, rs, np, nn) {
    i = 1
    while (i <= n) {
        j = i
        while (j < n && p[j + 1] == p[i]) j++
        r = 0
        for (k = i; k <= j; k++) if (want == "" || cp[k] == want) r++
        # the matching rows of this tie group share ranks rank0+1 .. rank0+r
        for (k = i; k <= j; k++) if ((want == "" || cp[k] == want) && y[k]) { rs += rank0 + (r + 1) / 2; np++ }
        rank0 += r
        i = j + 1
    }
    nn = rank0 - np
    rank0 = 0
    npos = np; nneg = nn
    return (np && nn) ? (rs - np * (np + 1) / 2) / (np * nn) : 0
}
{ y[NR] = ($2 >= 0.5); p[NR] = $4; cp[NR] = $1; seen[$1] = 1 }
END {
    n = NR
    all = auc("")
    np = npos; nn = nneg
    printf "news-like comments scored by a model that did not train on them: %d (%d toxic, %d clean), %d folds\n", n, np, nn, folds
    printf "pooled TOXICITY ROC AUC %.4f; mean of the folds'\'' AUCs %s\n", all, fauc
    for (cn in seen) { a = auc(cn); printf "  %s: %d toxic, %d clean, ROC AUC %.4f\n", cn, npos, nneg, a }
    # clean scores, highest first
    m = 0
    for (k = n; k >= 1; k--) if (!y[k]) c[++m] = p[k]
    split("2 3 5", share, " ")
    line = ""
    for (s = 1; s <= 3; s++) {
        at = int(share[s] / 100 * nn)     # clean comments above the line
        thr = c[at + 1]
        caught = 0
        for (k = 1; k <= n; k++) if (y[k] && p[k] > thr) caught++
        line = line sprintf("%s%% of clean (%d): %d of %d toxic (%.1f%%)%s", share[s], at, caught, np, 100 * caught / np, s < 3 ? "; " : "")
    }
    print "toxic above the line at " line
}' | tee "$OUT/summary.txt"

# The low end again, fold by fold: each fold's line drawn among its own
# clean comments and scored by its own model (the pooled line above mixes
# five models' calibrations), the counts added up over the folds.
for f in "$OUT"/fold-*.tsv; do
    sort -t "$(printf '\t')" -k3,3gr "$f" | awk -F'\t' '
    { y[NR] = ($2 >= 0.5); p[NR] = $3; if (!y[NR]) c[++nn] = $3; else np++ }
    END {
        split("2 3 5", share, " ")
        for (s = 1; s <= 3; s++) {
            thr = c[int(share[s] / 100 * nn) + 1]
            caught = 0
            for (k = 1; k <= NR; k++) if (y[k] && p[k] > thr) caught++
            printf "%d %d %d\n", s, caught, int(share[s] / 100 * nn)
        }
        printf "0 %d %d\n", np, nn
    }'
done | awk '
{ got[$1] += $2; at[$1] += $3 }
END {
    printf "fold by fold, toxic above each fold'\''s line at 2%% / 3%% / 5%% of its clean (%d / %d / %d clean above): %d / %d / %d of %d toxic (%.1f%% / %.1f%% / %.1f%%)\n", at[1], at[2], at[3], got[1], got[2], got[3], got[0], 100 * got[1] / got[0], 100 * got[2] / got[0], 100 * got[3] / got[0]
}' | tee -a "$OUT/summary.txt"

[ -n "$ENGINE" ] || exit 0
# The engine, fold by fold: the server embeds its model, so each fold's
# model is linked into a build of HEAD in a worktree of its own (the
# checkout's data/model/parley.model is never touched).
WT=build/news_cv/worktree
if [ ! -d "$WT" ]; then
    git worktree add -q --detach "$WT" HEAD
else # the engine of today's commit (uncommitted changes are not in it)
    git -C "$WT" checkout -q --detach "$(git rev-parse HEAD)"
fi
k=0
: >"$OUT/engine.tsv"
while [ "$k" -lt "$N" ]; do
    cp "$OUT/fold-$k.model" "$WT/data/model/parley.model"
    make -s -C "$WT" build/parley >"$OUT/engine-build.log" 2>&1 ||
        { echo "news_cv.sh: the worktree build failed; see $OUT/engine-build.log" >&2; exit 1; }
    awk -F'\t' '{ printf "%d\t%s\n", NR, $5 }' "$OUT/fold-$k.tsv" >"$OUT/in-$k.tsv"
    "$WT/build/parley" check --tsv "$OUT/in-$k.tsv" >"$OUT/out-$k.tsv"
    paste "$OUT/fold-$k.tsv" "$OUT/out-$k.tsv" |
        awk -F'\t' '{ print $1 "\t" ($2 >= 0.5) "\t" $7 }' >>"$OUT/engine.tsv"
    k=$((k + 1))
done
git -C "$WT" checkout -q -- data/model/parley.model
awk -F'\t' '
{ for (g = 0; g < 2; g++) { c = g ? "all" : $1; n[c]++
    if ($2) { t[c]++; if ($3 != "publish") tf[c]++ }
    else { cl[c]++; if ($3 == "hold") ch[c]++; if ($3 == "reject") cr[c]++ } } }
END { for (c in n) printf "engine, %s: %d toxic, %.1f%% flagged; %d clean, %.1f%% held, %.1f%% rejected\n", c, t[c], 100 * tf[c] / t[c], cl[c], 100 * ch[c] / cl[c], 100 * cr[c] / cl[c] }' \
    "$OUT/engine.tsv" | sort | tee -a "$OUT/summary.txt"
