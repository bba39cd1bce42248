#!/bin/sh
# aci-hellofiles: a form on port 80; each submitted text is written to /aci/logs/<milliseconds>.txt
# (the Azure file share the doc mounts there). One busybox nc child per connection runs
# hellofiles-request.sh. The sample's own start-up line is kept as it prints it.
trap 'exit 0' TERM INT
mkdir -p /aci/logs
echo "listening on port ${PORT:-undefined}"  # the sample prints process.env.PORT, unset in the docs
nc -ll -p "${PORT:-80}" -e /bin/sh /hellofiles-request.sh &
wait
