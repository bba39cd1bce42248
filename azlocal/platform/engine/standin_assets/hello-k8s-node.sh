#!/bin/sh
# The Dapr hello-kubernetes sample's Node.js order service (dapriosamples/hello-k8s-node and
# ghcr.io/dapr/samples/hello-k8s-node). It listens on $APP_PORT; POST /neworder logs the order and saves it
# through the Dapr sidecar's state API (store `statestore`, key `order`), GET /order reads it back from
# there, GET /ports shows the sidecar's ports. Each connection is one busybox nc child running
# hello-k8s-node-request.sh (beside this file).
# usage: hello-k8s-node.sh [hub|ghcr]
#   hub   the Docker Hub image the Container Apps tutorial runs: APP_PORT, else 3000
#   ghcr  the current sample: APP_PORT is required (the sample exits 1 without it)
here="${0%/*}"
[ "$here" = "$0" ] && here=.
port="$APP_PORT"
if [ -z "$port" ]; then
  if [ "${1:-hub}" = ghcr ]; then
    printf '%s\n%s\n\n' "[error]: --app-port is not set. Re-run dapr run with -p or --app-port." \
      "Usage: https://github.com/dapr/quickstarts/tree/master/tutorials/hello-kubernetes" >&2
    exit 1
  fi
  port=3000
fi
trap 'exit 0' TERM INT
nc -ll -p "$port" -e /bin/sh "$here/hello-k8s-node-request.sh" &
echo "Node App listening on port $port!"
wait
