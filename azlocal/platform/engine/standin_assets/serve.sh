#!/bin/sh
# Serves /www with busybox httpd and writes one access-log line per request to stdout.
# usage: serve.sh [PORT] [FORMAT] [BANNER]
#   FORMAT  combined  morgan's "combined" (Node.js samples): ip - - [date] "GET /p HTTP/1.1" 200 - "-" "-"
#           nginx     nginx's "main": the same plus "-" for X-Forwarded-For
#           none      no access log
#   BANNER  a line printed once the server listens (e.g. "listening on port 80")
# busybox httpd -vv reports "ip:port: url:/path" then "ip:port: response:200" on stderr; awk joins them.
port="${1:-80}"
format="${2:-combined}"
trap 'exit 0' TERM INT
httpd -f -vv -p "$port" -h /www 2>&1 | awk -v format="$format" '
  $2 ~ /^url:/ { url[$1] = substr($2, 5); next }
  $2 ~ /^response:/ {
    if (format == "none") next
    ip = $1; sub(/:[0-9]+:$/, "", ip); gsub(/[][]/, "", ip)
    line = sprintf("%s - - [%s] \"GET %s HTTP/1.1\" %s - \"-\" \"-\"", ip, strftime("%d/%b/%Y:%H:%M:%S +0000", systime(), 1), url[$1], substr($2, 10))
    if (format == "nginx") { sub(/^::ffff:/, "", line); line = line " \"-\"" }
    print line
    fflush()
    delete url[$1]
  }' &
[ -n "$3" ] && echo "$3"
wait
