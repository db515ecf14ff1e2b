#!/usr/bin/env bash
# Two Lumen builds and ONNX Runtime, interleaved over several rounds (2 threads each): the forward time of the three
# ImageNet models at batch 1 and 16, then per model and batch the median over rounds of each round's median (ms).
# Usage (from the repository root): bench/onnx/compare.sh OLD/lumen.dll NEW/lumen.dll [rounds=7] [path/to/shared]
# OLD and NEW are built `lumen` CLIs (e.g. a copy of src/Lumen.Cli/bin/Release/net10.0 made before a change).
set -euo pipefail
old="$1"; new="$2"; rounds="${3:-7}"; shared="${4:-../shared}"
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && [ -d node_modules/onnxruntime-node ] || npm install --ignore-scripts --no-audit --no-fund >/dev/null)
log="$(mktemp)"
for round in $(seq "$rounds"); do
  for m in squeezenet1.0-fp32 tiny-darknet mobilenetv2-1.0-224; do
    model="$shared/models/imagenet/$m.onnx"
    for side in old new; do
      dll=$([ "$side" = old ] && echo "$old" || echo "$new")
      dotnet "$dll" bench "$model" --batch 1 --iterations 200 2>/dev/null | tail -1 | sed "s/^/$side /" >> "$log"
      dotnet "$dll" bench "$model" --batch 16 --iterations 20 2>/dev/null | tail -1 | sed "s/^/$side /" >> "$log"
    done
    node "$here/ort-bench.mjs" "$model" 1 16 | sed 's/^/ort /' >> "$log"
  done
  echo "round $round done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
python3 - "$log" <<'PY'
import json, re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(old|new|ort) (\{.*\})', line)
    if m:
        d = json.loads(m.group(2))
        rows.setdefault((d['model'], d['batch'], m.group(1)), []).append(d['median_ms'])
print(f"{'model':22} {'batch':>5} {'old':>8} {'new':>8} {'ort':>8} {'new/ort':>8} {'old/ort':>8}")
for model in sorted({k[0] for k in rows}):
    for batch in (1, 16):
        o, n, r = (statistics.median(rows[(model, batch, s)]) for s in ('old', 'new', 'ort'))
        print(f"{model:22} {batch:>5} {o:8.2f} {n:8.2f} {r:8.2f} {n / r:8.2f} {o / r:8.2f}")
PY
rm -f "$log"
