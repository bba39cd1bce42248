#!/bin/sh
# dapriosamples/hello-k8s-python: the Dapr tutorial's order generator. Every second it posts
# {"data": {"orderId": n}} to the node app through the Dapr sidecar's service invocation API.
# azlocal has no Dapr sidecar yet: while none answers, each failed call is logged and the stand-in says
# why once.
trap 'exit 0' TERM INT
url="http://localhost:${DAPR_HTTP_PORT:-3500}/v1.0/invoke/nodeapp/method/neworder"
n=0
told=""
while true; do
  n=$((n + 1))
  if ! wget -q -O /dev/null --header "Content-Type: application/json" \
       --post-data "{\"data\": {\"orderId\": $n}}" "$url" 2>/dev/null; then
    echo "HTTPConnectionPool(host='localhost', port=${DAPR_HTTP_PORT:-3500}): Max retries exceeded with url: /v1.0/invoke/nodeapp/method/neworder"
    if [ -z "$told" ]; then
      echo "azlocal stand-in: no Dapr sidecar answers on localhost:${DAPR_HTTP_PORT:-3500} (Dapr is not emulated yet); orders are not delivered."
      told=1
    fi
  fi
  sleep 1 &
  wait $!
done
