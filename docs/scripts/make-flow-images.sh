#!/bin/sh
# Regenerates the tables and charts of docs/flow.md from the examples, with the commands the page shows.
# Run from the project root after `mvn -q -DskipTests package`.
set -eu
cr() { java -jar target/chainrule.jar "$@"; }
for act in sigmoid relu; do
    cr flow examples/chain10-$act.nn --format png -o docs/images/flow-chain10-$act.png
    cr flow examples/chain10-$act.nn --format svg -o docs/images/flow-chain10-$act.svg
    cr flow examples/chain10-$act.nn --notation book > docs/images/flow-chain10-$act.txt
done
cr paths examples/chain10-sigmoid.nn --wrt w1 --top 1 --notation book > docs/images/paths-chain10-sigmoid-top1.txt
