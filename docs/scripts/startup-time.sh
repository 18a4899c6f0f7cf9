#!/bin/sh
# Start-up time of one small command, `grad examples/mazur.nn`, by `java -jar target/chainrule.jar`
# and by bin/chainrule, N runs each (default 10), alternating so that both see the same load.
# Prints the median and the least wall time, and the median CPU time (user + sys), which a busy
# machine distorts less. Run from the project directory after `mvn -q -DskipTests package`.
n=${1:-10}
a=$(mktemp) b=$(mktemp) t=$(mktemp)
for i in $(seq "$n"); do
  /usr/bin/time -o "$t" -f "%e %U %S" java -jar target/chainrule.jar grad examples/mazur.nn >/dev/null 2>&1; cat "$t" >> "$a"
  /usr/bin/time -o "$t" -f "%e %U %S" bin/chainrule grad examples/mazur.nn >/dev/null 2>&1; cat "$t" >> "$b"
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for f in "$a:java -jar target/chainrule.jar" "$b:bin/chainrule"; do
  file=${f%%:*} name=${f#*:}
  echo "$name: median wall $(awk '{print $1}' "$file" | median) s (least $(awk '{print $1}' "$file" | sort -n | head -1) s), median CPU $(awk '{print $2+$3}' "$file" | median) s"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
rm -f "$a" "$b" "$t"
