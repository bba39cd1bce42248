#!/bin/sh
# Serves /www on port 80 and writes one access-log line per request to stdout.
# busybox httpd -vv reports "ip:port: url:/path" on stderr; awk turns that into a log line.
trap 'exit 0' TERM INT
httpd -f -vv -p 80 -h /www 2>&1 | awk '
  $2 ~ /^url:/ {
    ip = $1; sub(/:[0-9]+:$/, "", ip); gsub(/[][]/, "", ip); url = $2; sub(/^url:/, "", url)
    printf "%s - - [%s] \"GET %s HTTP/1.1\"\n", ip, strftime("%d/%b/%Y:%H:%M:%S +0000"), url
    fflush()
  }' &
wait
