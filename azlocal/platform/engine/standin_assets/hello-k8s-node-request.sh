#!/bin/sh
# One HTTP request on stdin/stdout for hello-k8s-node.sh; log lines go to stderr (the container's log).
set -f
cr=$(printf '\r')
state="http://${DAPR_HTTP_HOST:-localhost}:${DAPR_HTTP_PORT:-3500}/v1.0/state/statestore"
read -r method path _ || exit 0
length=0
while read -r line; do
  line="${line%$cr}"
  [ -z "$line" ] && break
  case "$line" in [Cc]ontent-[Ll]ength:*) length=$(echo "${line#*:}" | tr -dc 0-9) ;; esac
done
reply() {  # status, body
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2"
}
nosidecar() {
  echo "azlocal stand-in: no Dapr sidecar answers on ${state%/v1.0/*} (Dapr is not emulated yet); the order was not saved." >&2
}
case "$method $path" in
  "POST /neworder")
    body=$(head -c "${length:-0}")
    data=$(echo "$body" | sed -n 's/.*"data"[ ]*:[ ]*\({[^}]*}\).*/\1/p')
    id=$(echo "$data" | sed -n 's/.*"orderId"[ ]*:[ ]*"\{0,1\}\([^",}]*\).*/\1/p')
    echo "Got a new order! Order ID: $id" >&2
    if wget -q -O /dev/null --header "Content-Type: application/json" \
         --post-data "[{\"key\":\"order\",\"value\":${data:-null}}]" "$state" 2>/dev/null; then
      echo "Successfully persisted state." >&2
      reply "200 OK" ""
    else
      echo "Failed to persist state." >&2
      nosidecar
      reply "500 Internal Server Error" '{"message":"Failed to persist state."}'
    fi ;;
  "GET /order")
    if orders=$(wget -q -O - "$state/order" 2>/dev/null); then
      reply "200 OK" "$orders"
    else
      echo "Could not get state." >&2
      nosidecar
      reply "500 Internal Server Error" '{"message":"Could not get state."}'
    fi ;;
  *)
    reply "404 Not Found" "" ;;
esac
