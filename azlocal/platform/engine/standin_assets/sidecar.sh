#!/bin/sh
# Requests http://localhost every few seconds and logs the status code, like the tutorial sidecar.
trap 'exit 0' TERM INT
while true; do
  code=$(wget -q -S -O /dev/null http://localhost 2>&1 | awk '/HTTP\// { c = $2 } END { print c }')
  echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') ${code:-failed} http://localhost"
  sleep "${INTERVAL:-3}" &
  wait $!
done
