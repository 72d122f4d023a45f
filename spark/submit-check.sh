#!/usr/bin/env bash
# Starts a loopback standalone cluster (Master + 1 Worker, 1 core, 1g) from spark/target/classpath.txt,
# runs the documented spark-submit command against it, and stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"; export PATH=$JAVA_HOME/bin:$PATH
H=${TMPDIR:-/tmp}/kiln-submit-check; rm -rf $H; mkdir -p $H/jars
CP=$(<spark/target/classpath.txt)
# A Spark installation's jars directory: Spark's jars (and their dependencies), not Kiln's.
SPARK_CP=$(tr ':' '\n' < spark/target/classpath.txt | grep -v -e '/kiln-' -e '/target/' | paste -sd: -)
tr ':' '\n' <<<"$SPARK_CP" | while read -r j; do ln -sf "$j" $H/jars/; done
read -r -a FLAGS <<<"$(sed -n 's|.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*|\1|p' spark/pom.xml)"
export SPARK_HOME=$H SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
LOG4J=-Dlog4j2.configurationFile=$PWD/spark/demo-log4j2.properties
java "${FLAGS[@]}" -Xmx256m $LOG4J -cp "$SPARK_CP" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7177 --webui-port 8180 > $H/master.log 2>&1 &
M=$!
sleep 8
java "${FLAGS[@]}" -Xmx256m $LOG4J -cp "$SPARK_CP" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 2g --webui-port 8181 --work-dir $H/work spark://127.0.0.1:7177 > $H/worker.log 2>&1 &
W=$!
trap 'kill $W $M 2>/dev/null || true' EXIT INT TERM
sleep 8
# ---- the documented command (docs/spark.md), with spark-submit = java ... org.apache.spark.deploy.SparkSubmit
KILN_JARS=$(ls spark/target/lib/*.jar | paste -sd, -)
FLAGS_S="${FLAGS[*]}"
time timeout 300 java "${FLAGS[@]}" $LOG4J -cp "$SPARK_CP" org.apache.spark.deploy.SparkSubmit \
  --master spark://127.0.0.1:7177 --deploy-mode client --class dev.kiln.spark.examples.SparkFashion \
  --jars "$KILN_JARS" \
  --conf spark.driver.extraJavaOptions="$FLAGS_S" --conf spark.executor.extraJavaOptions="$FLAGS_S" \
  --conf spark.executor.cores=1 --conf spark.executor.memory=1g \
  spark/target/kiln-spark-0.1.0-SNAPSHOT.jar --data "$H/data" --partitions 2 --epochs 1 --steps-per-round 10
