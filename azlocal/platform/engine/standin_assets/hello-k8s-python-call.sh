#!/bin/sh
# One call of hello-k8s-python.sh, run by busybox nc with the connection as stdin/stdout: it writes the
# request (CALL_HOST, CALL_PATH, CALL_HEADER, CALL_BODY), reads the answer, and prints
# "HTTP <status> => <body>" when the status is not 2xx or 3xx (what the sample prints then).
cr=$(printf '\r')
extra=""
[ -n "$CALL_HEADER" ] && extra="$CALL_HEADER$cr
"
printf 'POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: python-requests/2.31.0\r\nAccept-Encoding: identity\r\nAccept: */*\r\nConnection: close\r\n%sContent-Length: %s\r\nContent-Type: application/json\r\n\r\n%s' \
  "$CALL_PATH" "$CALL_HOST" "$extra" "${#CALL_BODY}" "$CALL_BODY"
read -r _ status _ || { echo "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))" >&2; exit 1; }
chunked=""
while read -r line; do
  line="${line%$cr}"
  [ -z "$line" ] && break
  case "$line" in [Tt]ransfer-[Ee]ncoding:*[Cc]hunked*) chunked=1 ;; esac
done
body=$(cat)
if [ -n "$chunked" ]; then  # the sizes' lines out, the chunks joined (the sidecar's errors are small JSON)
  body=$(printf '%s\n' "$body" | tr -d "$cr" | awk 'NR % 2 == 0 { printf "%s", $0 }')
fi
case "$status" in
  2??|3??) ;;
  *) echo "HTTP $status => $body" >&2 ;;
esac
