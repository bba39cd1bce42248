#!/bin/sh
# aci-tutorial-sidecar: the sample runs `watch -n 3 curl -I http://localhost/`, so its log is a
# "Every 3s: …" title and the response's status line and headers, refreshed every few seconds.
# busybox wget -S prints the same status line and headers (indented; the indent is removed).
trap 'exit 0' TERM INT
interval="${INTERVAL:-3}"
while true; do
  printf 'Every %ss: curl -I http://localhost/%s%s\n\n' "$interval" "                          " "$(date -u '+%Y-%m-%d %H:%M:%S')"
  headers=$(wget -q -S --spider http://localhost/ 2>&1 | sed -n 's/^  //p')
  if [ -n "$headers" ]; then
    echo "$headers"
  else
    echo "curl: (7) Failed to connect to localhost port 80: Connection refused"
  fi
  echo
  sleep "$interval" &
  wait $!
done
