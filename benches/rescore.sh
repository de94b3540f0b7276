#!/bin/sh
# Re-scoring 100 000 stored records of questionnaire 1.1.0 under the built-in 2.0.0, against
# `jq -c .` over the same file, for BENCHMARKS.md.
#
#   cargo build --release
#   benches/rescore.sh [DIR]        # DIR (default target/bench-rescore) keeps the data
#
# The records are made by the binary itself: 1.1.0's own test cases (those without clinic
# settings) cycled to N lines (default 100 000) of answers, scored with
# `-q tests/fixtures/dry-needling-1.1.0.json score --jsonl --format json`. Each measure is
# taken PAIRS times (default 3); one pair is one hyperfine run of both commands, one right
# after the other, so both see the same load. Then the peak memory (max RSS) of one run at
# N/10 and at N records, which should be the same.
set -eu

nc=${NEEDLECHECK:-target/release/needlecheck}
old=tests/fixtures/dry-needling-1.1.0.json
dir=${1:-target/bench-rescore}
n=${N:-100000}
pairs=${PAIRS:-3}
mkdir -p "$dir"
records=$dir/records-$n.jsonl
tenth=$dir/records-$((n / 10)).jsonl

if [ ! -s "$records" ]; then
    jq -c '.tests[] | select((.settings // {}) == {}) | {answers}' "$old" > "$dir/cases.jsonl"
    awk -v n="$n" '{ l[NR] = $0 } END { for (i = 0; i < n; i++) print l[i % NR + 1] }' \
        "$dir/cases.jsonl" > "$dir/answers.jsonl"
    "$nc" -q "$old" score --jsonl --format json -a "$dir/answers.jsonl" > "$records"
    head -n $((n / 10)) "$records" > "$tenth"
fi
echo "records: $(wc -l < "$records") lines, $(du -m "$records" | cut -f1) MB"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pair NAME COMMAND OTHER
pair() {
    : > "$tmp/ratios"
    for _ in $(seq "$pairs"); do
        hyperfine -N --style none -w 0 -r 1 -i --export-json "$tmp/run.json" "$2" "$3" \
            > /dev/null 2>&1
        jq -r '.results | "\(.[0].mean / .[1].mean) \((.[0].user + .[0].system) /
            (.[1].user + .[1].system)) \(.[0].mean) \(.[1].mean)"' "$tmp/run.json" \
            >> "$tmp/ratios"
    done
    echo "== $1"
    echo "   wall ratio, cpu ratio, needlecheck s, jq s (one line per pair)"
    sed 's/^/   /' "$tmp/ratios"
    sort -n "$tmp/ratios" | awk '{ r[NR] = $1 } END { printf "   median wall ratio %.3f\n", r[int((NR + 1) / 2)] }'
    sort -n -k2 "$tmp/ratios" | awk '{ c[NR] = $2 } END { printf "   median cpu ratio %.3f\n", c[int((NR + 1) / 2)] }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# -i: rescore exits 0 here, but a run with bad records exits 2 by design.
pair "rescore --format jsonl, $n records, vs jq -c ." \
    "$nc rescore --format jsonl $records" "jq -c . $records"
pair "rescore (text), $n records, vs jq -c ." \
    "$nc rescore $records" "jq -c . $records"
for f in "$tenth" "$records"; do
    kb=$( { /usr/bin/time -f %M "$nc" rescore --format jsonl "$f" > /dev/null; } 2>&1 )
    echo "peak memory, rescore --format jsonl, $(wc -l < "$f") records: $kb KB"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
