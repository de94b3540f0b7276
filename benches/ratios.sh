#!/bin/sh
# Paired timing ratios of the command line against jq and cat, for BENCHMARKS.md.
#
#   cargo build --release
#   cargo run --release --example gen_large -- target/bench-data          # 100 000 lines
#   cargo run --release --example gen_large -- target/bench-1m 1000000    # optional, 1.3 GB
#   benches/ratios.sh target/bench-data [target/bench-1m]
#
# Each measure is taken PAIRS times (default 5). One pair is one hyperfine run of both
# commands, one right after the other, so both see the same load on the machine; the ratio
# is needlecheck's mean time over the other command's. Printed per pair, then the median.
# NEEDLECHECK chooses the binary (default target/release/needlecheck), QUESTIONNAIRE the file
# to validate and to take the answer set from (default questionnaires/dry-needling.json, which
# is also the one built in).
set -eu

nc=${NEEDLECHECK:-target/release/needlecheck}
questionnaire=${QUESTIONNAIRE:-questionnaires/dry-needling.json}
data=$1
big=${2:-}
pairs=${PAIRS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The embedded questionnaire's largest test case without settings: one realistic answer set.
jq -c '[.tests[] | select((.settings // {}) == {})] | max_by(.answers | length) | {answers}' \
    "$questionnaire" > "$tmp/one.json"

# pair NAME WARMUP RUNS COMMAND OTHER
pair() {
    name=$1 warmup=$2 runs=$3
    : > "$tmp/ratios"
    for _ in $(seq "$pairs"); do
        hyperfine -N --style none -w "$warmup" -r "$runs" --export-json "$tmp/run.json" \
            "$4" "$5" > /dev/null 2>&1
        jq -r '.results | "\(.[0].mean / .[1].mean) \((.[0].user + .[0].system) /
            (.[1].user + .[1].system)) \(.[0].mean) \(.[1].mean)"' "$tmp/run.json" \
            >> "$tmp/ratios"
    done
    echo "== $name"
    echo "   wall ratio, cpu ratio, needlecheck mean s, other mean s (one line per pair)"
    sed 's/^/   /' "$tmp/ratios"
    sort -n "$tmp/ratios" | awk '{ r[NR] = $1; c[NR] = $2 }
        END { m = int((NR + 1) / 2); printf "   median wall ratio %.3f\n", r[m] }'
    sort -n -k2 "$tmp/ratios" | awk '{ c[NR] = $2 }
        END { m = int((NR + 1) / 2); printf "   median cpu ratio %.3f\n", c[m] }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
pair "score --answers one.json vs --version" 5 30 \
    "$nc score --answers $tmp/one.json" "$nc --version"
pair "validate $questionnaire vs cat" 5 30 \
    "$nc validate $questionnaire" "cat $questionnaire"
pair "score --jsonl --format json, 100k lines, vs jq -c ." 1 3 \
    "$nc score -q $data/q-100.json --answers $data/answers-100.jsonl --jsonl --format json" \
    "jq -c . $data/answers-100.jsonl"
if [ -n "$big" ]; then
    pairs=${PAIRS_1M:-3}
    pair "score --jsonl --format json, 1M lines, vs jq -c ." 0 1 \
        "$nc score -q $big/q-100.json --answers $big/answers-100.jsonl --jsonl --format json" \
        "jq -c . $big/answers-100.jsonl"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
