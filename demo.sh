#!/usr/bin/env bash
# A short demo of the course flow azlocal supports so far, in a throwaway home.
set -euo pipefail
cd "$(dirname "$0")"
bash .ci/setup
export AZLOCAL_HOME="${AZLOCAL_HOME:-$(mktemp -d)}"
run() { echo "\$ $*"; "$@"; echo; }

run az extension add --name containerapp --upgrade
run az provider register --namespace Microsoft.App
run az group create --name az204-demo-rg --location eastus
run az group list -o table
run az group show --name az204-demo-rg --query location -o tsv
run azlocal images prepare -o table
echo '$ docker run --rm mcr.microsoft.com/hello-world'
docker run --rm mcr.microsoft.com/hello-world
run az group delete --name az204-demo-rg --yes
run az group exists --name az204-demo-rg
run azlocal status
