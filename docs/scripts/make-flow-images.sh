#!/bin/sh
# Regenerates the charts of docs/flow.md and the command outputs shown in it, with the commands the
# page shows. Run from the project root after `mvn -q -DskipTests package`.
# FlowCommandTest.theDocsShowWhatTheirCommandsPrint fails when the page is out of date.
set -eu
cr() { java -jar target/chainrule.jar "$@"; }
for act in sigmoid relu; do
    cr flow examples/chain10-$act.nn --format png -o docs/images/flow-chain10-$act.png
    cr flow examples/chain10-$act.nn --format svg -o docs/images/flow-chain10-$act.svg
done
# Every "`chainrule COMMAND`" line followed by a ``` block: replace the block with COMMAND's output.
python3 - docs/flow.md <<'PY'
import re, subprocess, sys
path = sys.argv[1]
doc = open(path, encoding="utf-8").read()
def rerun(m):
    out = subprocess.run(["java", "-jar", "target/chainrule.jar"] + m.group(1).split(),
                         check=True, capture_output=True, text=True, encoding="utf-8").stdout
    return "`chainrule " + m.group(1) + "`\n\n```\n" + out + "```"
doc = re.sub(r"`chainrule ([^`]*)`\n\n```\n.*?```", rerun, doc, flags=re.S)
open(path, "w", encoding="utf-8").write(doc)
PY
