#!/usr/bin/env python3
"""Lumen vs ONNX Runtime, node by node, in context (each node inside a whole forward pass).

Usage: compare-nodes.py LUMEN_PROFILE.txt ORT_NODES.jsonl
  LUMEN_PROFILE.txt: the standard error of `lumen bench MODEL --batch B --iterations N --profile 1000`
  ORT_NODES.jsonl:   the output of `ORT_OPS=all ORT_THREADS=T node bench/onnx/ort-layers.mjs MODEL B`
Prints the convolutions side by side in Lumen's execution order, matched by input and weight shape (ONNX Runtime's
include the activation and residual Add it fuses into them, and it may pad a weight's output channels, e.g. 1000 to
1008), then the time per op type of each engine and the totals, in µs per forward.
"""
import json
import re
import sys
from collections import defaultdict

def dims(text):
    return [int(d) for d in text.split(',')] if text.strip() else []


lumen = []   # (node index, op, µs, input shapes)
for line in open(sys.argv[1]):
    m = re.match(r'\s*(\d+) (\w+)\s+([\d.]+) ms.*?((?:\[[\d, ]*\] )*)→', line)
    if m:
        inputs = [dims(s) for s in re.findall(r'\[([\d, ]*)\]', m.group(4))]
        lumen.append((int(m.group(1)), m.group(2), float(m.group(3)) * 1000, inputs))
lumen.sort()
ort = [json.loads(line) for line in open(sys.argv[2]) if line.lstrip().startswith('{')]
ort_convs = [r for r in ort if r.get('op', 'Conv') == 'Conv']
used = set()


def match(inputs):
    """The first unused ONNX Runtime Conv with this input shape and weight shape (output channels may be padded)."""
    candidates = [i for i, r in enumerate(ort_convs) if i not in used and r['input'] == inputs[0]
                  and r.get('weight', [None])[1:] == inputs[1][1:] and r['weight'][0] >= inputs[1][0]]
    best = next((i for i in candidates if ort_convs[i]['weight'][0] == inputs[1][0]), candidates[0] if candidates else None)
    if best is not None:
        used.add(best)
    return best


print(f"{'node':>5} {'input':>20} {'weight':>20} {'lumen µs':>9} {'ort µs':>8} {'ratio':>6}")
for index, op, us, inputs in lumen:
    if op != 'Conv' or len(inputs) < 2:
        continue
    i = match(inputs)
    ort_us = ort_convs[i]['us'] if i is not None else float('nan')
    print(f"{index:>5} {str(inputs[0]):>20} {str(inputs[1]):>20} {us:9.0f} {ort_us:8.0f} {us / max(ort_us, 1):6.2f}")
lumen_ops, ort_ops = defaultdict(float), defaultdict(float)
for _, op, us, _ in lumen:
    lumen_ops[op] += us
for r in ort:
    ort_ops[r.get('op', 'Conv')] += r['us']
for op in sorted(set(lumen_ops) | set(ort_ops), key=lambda o: -lumen_ops.get(o, 0)):
    print(f"{op:>20}  lumen {lumen_ops.get(op, 0):9.0f}  ort {ort_ops.get(op, 0):9.0f}")
print(f"{'total':>20}  lumen {sum(lumen_ops.values()):9.0f}  ort {sum(ort_ops.values()):9.0f}")
