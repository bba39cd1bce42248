#!/bin/sh
# The Dapr hello-kubernetes sample's Python order generator (dapriosamples/hello-k8s-python and
# ghcr.io/dapr/samples/hello-k8s-python). Every second it posts {"data": {"orderId": n}} to the app
# `nodeapp` through the Dapr sidecar, with a 5 s timeout; as the sample, it prints nothing while the calls
# succeed, "HTTP <status> => <body>" when one is refused, and the error of a call that fails.
# usage: hello-k8s-python.sh [hub|ghcr]
#   hub   the Docker Hub image the Container Apps tutorial runs: service invocation by URL,
#         http://localhost:$DAPR_HTTP_PORT/v1.0/invoke/nodeapp/method/neworder
#   ghcr  the current sample: $DAPR_HTTP_ENDPOINT/neworder (default http://localhost:3500) with the
#         header `dapr-app-id: nodeapp`
here="${0%/*}"
[ "$here" = "$0" ] && here=.
trap 'exit 0' TERM INT
if [ "${1:-hub}" = ghcr ]; then
  endpoint="${DAPR_HTTP_ENDPOINT:-http://localhost:3500}"
  export CALL_PATH=/neworder CALL_HEADER="dapr-app-id: nodeapp"
else
  endpoint="http://localhost:${DAPR_HTTP_PORT:-3500}"
  export CALL_PATH=/v1.0/invoke/nodeapp/method/neworder CALL_HEADER=""
fi
hostport="${endpoint#*://}"
hostport="${hostport%%/*}"
host="${hostport%:*}"
port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=80
address="$host"
[ "$host" = localhost ] && address=127.0.0.1  # the sidecar listens on the loopback of this namespace
export CALL_HOST="$hostport"
pool="HTTPConnectionPool(host='$host', port=$port)"
told=""
n=0
while true; do
  n=$((n + 1))
  export CALL_BODY="{\"data\": {\"orderId\": $n}}"
  out=$(timeout 5 nc "$address" "$port" -e /bin/sh "$here/hello-k8s-python-call.sh" 2>&1)
  status=$?
  case "$out" in
    *"can't connect"*|*"Connection refused"*)
      echo "$pool: Max retries exceeded with url: $CALL_PATH (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c1a2b5e50>: Failed to establish a new connection: [Errno 111] Connection refused'))"
      if [ -z "$told" ]; then
        echo "azlocal stand-in: no Dapr sidecar answers on $host:$port; is Dapr enabled for this app (az containerapp dapr enable)?"
        told=1
      fi ;;
    *)
      if [ "$status" -ge 124 ]; then
        echo "$pool: Read timed out. (read timeout=5)"
      elif [ -n "$out" ]; then
        echo "$out"
      fi ;;
  esac
  sleep 1 &
  wait $!
done
