#!/bin/bash
# Usage: npm run build && npm run build:bench && bench/node-versions.sh (after one settlement-query run with --keep).
# NODE20 / NODE24 name the two node binaries.
# Interleaved Node 20 / Node 24 runs of the cached read (bare route, ceiling, product), same machine.
cd "$(dirname "$0")/.."
for i in 1 2 3; do
  for n in 20 24; do
    if [ $n = 20 ]; then NODE=${NODE20:-/usr/bin/node}; else NODE=${NODE24:-/work/node24/package/bin/node}; fi
    echo "=== N$n run $i"
    PATH=$(dirname $NODE):/usr/bin:/bin $NODE dist/bench/settlement-query.bench.js --rows 1000000 --duration 10 --repeat 1 --reuse --only cached 2>&1 | grep -E "^run|Error|error" 
  done
done
