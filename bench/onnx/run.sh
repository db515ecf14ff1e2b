#!/usr/bin/env bash
# Forward time of the three ImageNet models at batch 1 and 16: Lumen vs ONNX Runtime (CPU, 2 threads), same run.
# Usage (from the repository root): bench/onnx/run.sh [path/to/shared]
set -euo pipefail
shared="${1:-../shared}"
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && [ -d node_modules/onnxruntime-node ] || npm install --ignore-scripts --no-audit --no-fund >/dev/null)
dotnet build src/Lumen.Cli -c Release -v q >/dev/null
for m in squeezenet1.0-fp32 tiny-darknet mobilenetv2-1.0-224; do
  dotnet src/Lumen.Cli/bin/Release/net10.0/lumen.dll bench "$shared/models/imagenet/$m.onnx" --batch 1 16
  node "$here/ort-bench.mjs" "$shared/models/imagenet/$m.onnx" 1 16
done
