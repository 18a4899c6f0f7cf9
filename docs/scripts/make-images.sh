#!/usr/bin/env bash
# Regenerates the pictures in docs/images from examples/mazur.nn (run from the repository root).
# Needs pdflatex (texlive-latex-base), pdftoppm (poppler-utils) and dot (graphviz).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -DskipTests package
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
java -jar target/chainrule.jar latex examples/mazur.nn --wrt w1 -o "$tmp/mazur-w1.tex"
(cd "$tmp" && pdflatex -halt-on-error -interaction=nonstopmode mazur-w1.tex >/dev/null)
# One PNG per page: mazur-w1-1.png, mazur-w1-2.png, ...
rm -f docs/images/mazur-w1-*.png
pdftoppm -png -r 110 "$tmp/mazur-w1.pdf" docs/images/mazur-w1
java -jar target/chainrule.jar graph examples/mazur.nn --wrt w1 --format png -o docs/images/mazur-graph-w1.png
