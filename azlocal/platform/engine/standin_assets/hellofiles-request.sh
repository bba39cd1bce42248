#!/bin/sh
# One HTTP request on stdin/stdout (see hellofiles.sh). GET / serves the form; POST /values saves the
# field `name` to /aci/logs/<epoch milliseconds>.txt, logs as the sample does, and redirects to /.
set -f
cr=$(printf '\r')
read -r method path _ || exit 0
length=0
while read -r line; do
  line="${line%$cr}"
  [ -z "$line" ] && break
  case "$line" in
    [Cc]ontent-[Ll]ength:*) length=$(echo "${line#*:}" | tr -dc 0-9) ;;
  esac
done
reply() {  # status, content type, body file
  size=$(wc -c < "$3")
  printf 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$1" "$2" "$size"
  cat "$3"
}
case "$method $path" in
  "GET /"|"GET /index.html"|"GET /?"*)
    reply "200 OK" "text/html; charset=UTF-8" /www/index.html ;;
  "GET /app.css")
    reply "200 OK" "text/css; charset=UTF-8" /www/app.css ;;
  "POST /values")
    body=$(head -c "${length:-0}")
    text=""
    for pair in $(echo "$body" | tr '&' ' '); do
      case "$pair" in name=*) text=$(httpd -d "${pair#name=}") ;; esac
    done
    # Date.now(): seconds and microseconds from adjtimex, cut to milliseconds.
    now=$(adjtimex 2>/dev/null | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { if (s) printf "%d%03d", s, u / 1000 }')
    [ -n "$now" ] || now="$(date +%s)000"
    echo "{ name: '$text' }" >&2
    if printf '%s' "$text" > "/aci/logs/$now.txt"; then
      echo "Wrote to file" >&2
    else
      echo "Error: could not write /aci/logs/$now.txt" >&2
    fi
    printf 'HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' ;;
  *)
    printf 'HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %s\r\nConnection: close\r\n\r\nCannot %s %s\n' \
      $((${#method} + ${#path} + 9)) "$method" "$path" ;;
esac
