#!/usr/bin/env bash
# A short demo of the AZ-204 course flow on azlocal, in a throwaway home: a registry with a quick
# build and run, a container instance, Azure Files shared with a container group, a blob read with a
# SAS, a container app answering over HTTPS with CORS and system logs, a job run to completion, and a
# Key Vault secret read by the app through its managed identity, and the Dapr tutorial's two apps.
set -euo pipefail
cd "$(dirname "$0")"
bash .ci/setup
if [ -z "${AZLOCAL_HOME:-}" ]; then
  # A home of its own, removed at the end with everything azlocal made for it (CA trust included).
  export AZLOCAL_HOME="$(mktemp -d)"
  trap 'azlocal reset --yes -o none >/dev/null 2>&1 || true' EXIT
else
  trap 'az group delete --name az204-demo-rg --yes >/dev/null 2>&1 || true' EXIT
fi
run() { echo "\$ $*"; "$@"; echo; }

run az extension add --name containerapp --upgrade
run az provider register --namespace Microsoft.App
run az group create --name az204-demo-rg --location eastus -o table

acr=az204demo$RANDOM
run az acr create --resource-group az204-demo-rg --name "$acr" --sku basic -o table
run az acr update --name "$acr" --admin-enabled --query adminUserEnabled
work=$(mktemp -d)
echo "FROM mcr.microsoft.com/hello-world" > "$work/Dockerfile"
(cd "$work" && run az acr build --image sample/hello-world:v1 --registry "$acr" --file Dockerfile .)
run az acr repository list --name "$acr" -o table
run az acr run --registry "$acr" --cmd '$Registry/sample/hello-world:v1' /dev/null

# A repository-scoped token: docker may pull sample/hello-world with it, and push nowhere.
password=$(az acr token create --registry "$acr" --name demo-reader --repository sample/hello-world content/read \
  --query "credentials.passwords[0].value" -o tsv 2>/dev/null)
run az acr scope-map show --registry "$acr" --name demo-reader-scope-map --query actions -o tsv
dockercfg=$(mktemp -d)
echo "\$ docker login $acr.azurecr.io -u demo-reader --password-stdin"
echo "$password" | docker --config "$dockercfg" login "$acr.azurecr.io" -u demo-reader --password-stdin 2>/dev/null
run docker --config "$dockercfg" pull -q "$acr.azurecr.io/sample/hello-world:v1"
docker tag "$acr.azurecr.io/sample/hello-world:v1" "$acr.azurecr.io/sample/other:v1"
echo "\$ docker push $acr.azurecr.io/sample/other:v1"
docker --config "$dockercfg" push -q "$acr.azurecr.io/sample/other:v1" || echo "(exit $?: the token may only read)"
docker rmi "$acr.azurecr.io/sample/other:v1" "$acr.azurecr.io/sample/hello-world:v1" >/dev/null 2>&1 || true
rm -rf "$dockercfg"
echo

label=aci-demo-$RANDOM
run az container create -g az204-demo-rg -n mycontainer --image mcr.microsoft.com/azuredocs/aci-helloworld \
  --ports 80 --dns-name-label "$label" -o none
run az container show -g az204-demo-rg -n mycontainer \
  --query "{FQDN:ipAddress.fqdn,ProvisioningState:provisioningState}" -o table
run curl -s "http://$label.eastus.azurecontainer.io/" -o /dev/null -w "HTTP %{http_code} from the container group\n"

# Names never become host paths: a secret file named as a path is refused, nothing is written.
echo "\$ az container create -g az204-demo-rg -n evil --image mcr.microsoft.com/azuredocs/aci-helloworld \\"
echo "    --secrets ../../../../etc/azlocal-demo=x --secrets-mount-path /m"
az container create -g az204-demo-rg -n evil --image mcr.microsoft.com/azuredocs/aci-helloworld \
  --secrets ../../../../etc/azlocal-demo=x --secrets-mount-path /m || echo "(exit $?)"
echo

# Azure Files shared with a container group (the "Mount an Azure file share" exercise), and a blob
# read with a SAS the CLI made, over the Blob REST API at https://<account>.blob.core.windows.net.
sa=az204demo$RANDOM
run az storage account create -g az204-demo-rg -n "$sa" -l eastus --sku Standard_LRS -o none
key=$(az storage account keys list -g az204-demo-rg --account-name "$sa" --query "[0].value" -o tsv)
run az storage share create --name acishare --account-name "$sa" --account-key "$key" -o none
files_label=aci-files-$RANDOM
run az container create -g az204-demo-rg -n hellofiles --image mcr.microsoft.com/azuredocs/aci-hellofiles \
  --dns-name-label "$files_label" --ports 80 --azure-file-volume-account-name "$sa" \
  --azure-file-volume-account-key "$key" --azure-file-volume-share-name acishare \
  --azure-file-volume-mount-path /aci/logs/ -o none
run curl -s -o /dev/null -w "HTTP %{http_code}: the app saved a file into the share\n" \
  -d name=azlocal "http://$files_label.eastus.azurecontainer.io/values"
run az storage file list --share-name acishare --account-name "$sa" --account-key "$key" --query "[].name" -o tsv
run az storage container create --name demo --account-name "$sa" --account-key "$key" -o none
echo "hello from the blob service" > "$work/hello.txt"
run az storage blob upload --container-name demo --name hello.txt --file "$work/hello.txt" \
  --account-name "$sa" --account-key "$key" -o none
sas=$(az storage container generate-sas --name demo --account-name "$sa" --account-key "$key" \
  --expiry 2030-01-01 --permissions r --https-only -o tsv)
run curl -s "https://$sa.blob.core.windows.net/demo/hello.txt?$sas"
echo

run az containerapp env create -n demo-env -g az204-demo-rg -l eastus -o none
fqdn=$(az containerapp create -n my-container-app -g az204-demo-rg --environment demo-env \
  --image mcr.microsoft.com/azuredocs/containerapps-helloworld:latest --target-port 80 --ingress external \
  --query properties.configuration.ingress.fqdn -o tsv)
echo "container app at https://$fqdn/"
run curl -s "https://$fqdn/" -o /dev/null -w "HTTP %{http_code} over HTTPS from the container app\n"
run az containerapp revision list -n my-container-app -g az204-demo-rg -o table

# CORS answered by the gateway (a preflight never reaches the app), and the platform's system events.
run az containerapp ingress cors enable -n my-container-app -g az204-demo-rg \
  --allowed-origins https://www.contoso.com --allowed-methods GET POST -o none
echo "\$ curl -si -X OPTIONS https://$fqdn/ -H 'Origin: https://www.contoso.com' -H 'Access-Control-Request-Method: POST'"
curl -si -X OPTIONS "https://$fqdn/" -H "Origin: https://www.contoso.com" -H "Access-Control-Request-Method: POST" \
  | grep -i -E "^HTTP|^access-control" || true
echo
run az containerapp logs show -n my-container-app -g az204-demo-rg --type system --tail 4

# A manual job (the jobs quickstart): one execution of real containers, run to completion.
run az containerapp job create -n my-job -g az204-demo-rg --environment demo-env --trigger-type Manual \
  --replica-timeout 60 --replica-retry-limit 1 --replica-completion-count 1 --parallelism 1 \
  --image mcr.microsoft.com/k8se/quickstart-jobs:latest --cpu 0.25 --memory 0.5Gi -o none
run az containerapp job start -n my-job -g az204-demo-rg -o none
for _ in $(seq 1 60); do
  status=$(az containerapp job execution list -n my-job -g az204-demo-rg --query "[0].properties.status" -o tsv)
  [ "$status" = "Running" ] || break
  sleep 1
done
run az containerapp job execution list -n my-job -g az204-demo-rg -o table

# The AZ-204 Key Vault chain, without a password anywhere: a vault (RBAC), a secret, the app's system
# identity with Key Vault Secrets User on it, and a Key Vault reference the revision resolves as that identity.
kv=az204kv$RANDOM
run az keyvault create --name "$kv" --resource-group az204-demo-rg --location eastus -o none
vault_id=$(az keyvault show --name "$kv" --query id -o tsv)
me=$(az ad signed-in-user show --query id -o tsv)
run az role assignment create --assignee "$me" --role "Key Vault Secrets Officer" --scope "$vault_id" -o none
run az keyvault secret set --vault-name "$kv" --name db-password --value "S3cret-$RANDOM" --query name -o tsv
principal=$(az containerapp identity assign -n my-container-app -g az204-demo-rg --system-assigned \
  --query principalId -o tsv)
run az role assignment create --assignee "$principal" --role "Key Vault Secrets User" --scope "$vault_id" -o none
run az containerapp secret set -n my-container-app -g az204-demo-rg \
  --secrets "db-password=keyvaultref:https://$kv.vault.azure.net/secrets/db-password,identityref:system" -o none
run az containerapp secret list -n my-container-app -g az204-demo-rg -o table
run az containerapp update -n my-container-app -g az204-demo-rg --set-env-vars DB_PASSWORD=secretref:db-password \
  -o none
# Inside a replica: the value came through the reference; a token for the vault comes from IDENTITY_ENDPOINT.
run az containerapp exec -n my-container-app -g az204-demo-rg --command \
  'sh -c "echo DB_PASSWORD has ${#DB_PASSWORD} characters; wget -q -O - --header X-IDENTITY-HEADER:$IDENTITY_HEADER $IDENTITY_ENDPOINT?resource=https://vault.azure.net\&api-version=2019-08-01 | cut -c1-60"'

# The Container Apps Dapr tutorial: a Node app persists orders through its sidecar into a blob state store
# (as a user-assigned identity with Storage Blob Data Contributor); a Python app invokes it by app id.
acct=daprdemo$RANDOM
run az storage account create -n "$acct" -g az204-demo-rg -l eastus --sku Standard_LRS -o none
run az identity create -g az204-demo-rg -n nodeAppIdentity -o none
id=$(az identity show -g az204-demo-rg -n nodeAppIdentity --query id -o tsv)
cid=$(az identity show -g az204-demo-rg -n nodeAppIdentity --query clientId -o tsv)
pid=$(az identity show -g az204-demo-rg -n nodeAppIdentity --query principalId -o tsv)
run az role assignment create --assignee "$pid" --role "Storage Blob Data Contributor" \
  --scope "$(az storage account show -n "$acct" --query id -o tsv)" -o none
printf 'componentType: state.azure.blobstorage\nversion: v1\nmetadata:\n- name: accountName\n  value: %s\n- name: containerName\n  value: mycontainer\n- name: azureClientId\n  value: %s\nscopes:\n- nodeapp\n' \
  "$acct" "$cid" > "$work/statestore.yaml"
run az containerapp env dapr-component set -n demo-env -g az204-demo-rg --dapr-component-name statestore \
  --yaml "$work/statestore.yaml" -o none
run az containerapp create -n nodeapp -g az204-demo-rg --environment demo-env --user-assigned "$id" \
  --image dapriosamples/hello-k8s-node:latest --enable-dapr --dapr-app-id nodeapp --dapr-app-port 3000 \
  --env-vars APP_PORT=3000 -o none
run az containerapp create -n pythonapp -g az204-demo-rg --environment demo-env \
  --image dapriosamples/hello-k8s-python:latest --enable-dapr --dapr-app-id pythonapp -o none
sleep 4
run az containerapp logs show -n nodeapp -g az204-demo-rg --tail 4 --format text
run az storage blob list --account-name "$acct" --container-name mycontainer --auth-mode login --query "[].name" -o tsv

run az group delete --name az204-demo-rg --yes
run az group exists --name az204-demo-rg
run azlocal status
