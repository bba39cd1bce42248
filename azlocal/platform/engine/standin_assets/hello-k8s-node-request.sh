#!/bin/sh
# One HTTP request on stdin/stdout for hello-k8s-node.sh; the log lines go to stderr (the container's
# log), with the sample's own texts (console.log in its app.js).
set -f
cr=$(printf '\r')
dapr_port="${DAPR_HTTP_PORT:-3500}"
state_url="http://localhost:$dapr_port/v1.0/state/statestore"  # as the sample names it in its errors
state="http://127.0.0.1:$dapr_port/v1.0/state/statestore"      # the sidecar, in this network namespace
read -r method path _ || exit 0
length=0
while read -r line; do
  line="${line%$cr}"
  [ -z "$line" ] && break
  case "$line" in [Cc]ontent-[Ll]ength:*) length=$(echo "${line#*:}" | tr -dc 0-9) ;; esac
done
reply() {  # status, content type, body
  printf 'HTTP/1.1 %s\r\nX-Powered-By: Express\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3"
}
json="application/json; charset=utf-8"
# node-fetch's error when nothing answers on the sidecar's port, and what azlocal adds to it once per call.
refused() {  # url
  echo "FetchError: request to $1 failed, reason: connect ECONNREFUSED 127.0.0.1:$dapr_port" >&2
  echo "azlocal stand-in: no Dapr sidecar answers on localhost:$dapr_port; is Dapr enabled for this app (az containerapp dapr enable)?" >&2
  reply "500 Internal Server Error" "$json" \
    "{\"message\":{\"message\":\"request to $1 failed, reason: connect ECONNREFUSED 127.0.0.1:$dapr_port\",\"type\":\"system\",\"errno\":\"ECONNREFUSED\",\"code\":\"ECONNREFUSED\"}}"
}
call() {  # wget arguments...: the sidecar's answer on stdout; returns 0 (2xx), 1 (an HTTP error), 7 (refused)
  errors=$(timeout 30 wget -q -O - "$@" 2>&1 >&3) && return 0
  case "$errors" in *"can't connect"*|*"Connection refused"*) return 7 ;; esac
  return 1
}
case "$method $path" in
  "POST /neworder")
    body=$(head -c "${length:-0}")
    # req.body.data, as JSON.stringify writes it back (no blanks between the tokens)
    data=$(echo "$body" | sed -n 's/.*"data"[ ]*:[ ]*\({[^}]*}\).*/\1/p' | sed 's/"[ ]*:[ ]*/":/g; s/[ ]*,[ ]*"/,"/g; s/{[ ]*/{/; s/[ ]*}$/}/')
    if [ -z "$data" ]; then
      echo "TypeError: Cannot read properties of undefined (reading 'orderId')" >&2
      reply "500 Internal Server Error" "text/html; charset=utf-8" \
        "<pre>TypeError: Cannot read properties of undefined (reading &#39;orderId&#39;)</pre>"
      exit 0
    fi
    id=$(echo "$data" | sed -n 's/.*"orderId":"\{0,1\}\([^",}]*\).*/\1/p')
    echo "Got a new order! Order ID: ${id:-undefined}" >&2
    call --header "Content-Type: application/json" --post-data "[{\"key\":\"order\",\"value\":$data}]" "$state" \
      3>/dev/null
    case $? in
      0) echo "Successfully persisted state." >&2
         reply "200 OK" "text/html; charset=utf-8" "" ;;
      7) refused "$state_url" ;;
      *) echo "Failed to persist state." >&2
         reply "500 Internal Server Error" "$json" '{"message":"Failed to persist state."}' ;;
    esac ;;
  "GET /order")
    orders=$(call "$state/order" 3>&1)
    case $? in
      0) reply "200 OK" "text/html; charset=utf-8" "$orders" ;;
      7) refused "$state_url/order" ;;
      *) echo "Could not get state." >&2
         reply "500 Internal Server Error" "$json" '{"message":"Could not get state."}' ;;
    esac ;;
  "GET /ports")
    echo "DAPR_HTTP_PORT: ${DAPR_HTTP_PORT:-undefined}" >&2
    echo "DAPR_GRPC_PORT: ${DAPR_GRPC_PORT:-undefined}" >&2
    ports=""  # JSON.stringify leaves an undefined value out
    [ -n "$DAPR_HTTP_PORT" ] && ports="\"DAPR_HTTP_PORT\":\"$DAPR_HTTP_PORT\""
    [ -n "$DAPR_GRPC_PORT" ] && ports="${ports:+$ports,}\"DAPR_GRPC_PORT\":\"$DAPR_GRPC_PORT\""
    reply "200 OK" "$json" "{$ports}" ;;
  *)
    page="<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<title>Error</title>
</head>
<body>
<pre>Cannot ${method} ${path%%\?*}</pre>
</body>
</html>
"
    reply "404 Not Found" "text/html; charset=utf-8" "$page" ;;
esac
