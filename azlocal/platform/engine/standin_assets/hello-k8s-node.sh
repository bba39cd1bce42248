#!/bin/sh
# dapriosamples/hello-k8s-node: the Dapr tutorial's order service on port 3000. POST /neworder logs the
# order and saves it through the Dapr sidecar's state API; GET /order reads it back from there.
# azlocal has no Dapr sidecar yet: when none answers on localhost:$DAPR_HTTP_PORT, the stand-in says so
# in its log and answers 500, as the sample does when the state store fails.
trap 'exit 0' TERM INT
nc -ll -p 3000 -e /bin/sh /hello-k8s-node-request.sh &
echo "Node App listening on port 3000!"
wait
