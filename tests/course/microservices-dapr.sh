#!/usr/bin/env bash
# Container Apps: Tutorial: Deploy a Dapr application to Azure Container Apps using the Azure CLI
# (MicrosoftDocs/azure-docs@adc912d6daa0:articles/container-apps/microservices-dapr.md, with its include
# container-apps-create-cli-steps.md). The tutorial's commands stand as published, in its order, with the
# placeholders filled in; --yes is added where it expects a person to confirm. Lines after `# check` are
# ours: what the tutorial tells the learner to look at (the orders in the node app's logs, the blob
# `order` in the storage container), then what must follow from it (the role matters, a restart keeps going).
# The tutorial reads the logs with `az monitor log-analytics query`, which azlocal does not have: the
# checks read the same lines with `az containerapp logs show`.
set -euo pipefail
cd "$(mktemp -d)"

az login
az extension add --name containerapp --upgrade
az provider register --namespace Microsoft.App
az provider register --namespace Microsoft.OperationalInsights

RESOURCE_GROUP="my-container-apps"
LOCATION="canadacentral"
CONTAINERAPPS_ENVIRONMENT="my-environment"

az group create \
  --name $RESOURCE_GROUP \
  --location $LOCATION

az containerapp env create \
  --name $CONTAINERAPPS_ENVIRONMENT \
  --resource-group $RESOURCE_GROUP \
  --location "$LOCATION"

STORAGE_ACCOUNT_NAME="daprtutorial$RANDOM"

az storage account create \
  --name $STORAGE_ACCOUNT_NAME \
  --resource-group $RESOURCE_GROUP \
  --location "$LOCATION" \
  --sku Standard_RAGRS \
  --kind StorageV2

az identity create --resource-group $RESOURCE_GROUP --name "nodeAppIdentity" --output json

PRINCIPAL_ID=$(az identity show -n "nodeAppIdentity" --resource-group $RESOURCE_GROUP --query principalId | tr -d \")
IDENTITY_ID=$(az identity show -n "nodeAppIdentity" --resource-group $RESOURCE_GROUP --query id | tr -d \")
CLIENT_ID=$(az identity show -n "nodeAppIdentity" --resource-group $RESOURCE_GROUP --query clientId | tr -d \")

SUBSCRIPTION_ID=$(az account show --query id --output tsv)

az role assignment create --assignee $PRINCIPAL_ID  \
--role "Storage Blob Data Contributor" \
--scope "/subscriptions/$SUBSCRIPTION_ID/resourceGroups/$RESOURCE_GROUP/providers/Microsoft.Storage/storageAccounts/$STORAGE_ACCOUNT_NAME"

echo $STORAGE_ACCOUNT_NAME
echo $CLIENT_ID
cat > statestore.yaml <<EOF
# statestore.yaml for Azure Blob storage component
componentType: state.azure.blobstorage
version: v1
metadata:
  - name: accountName
    value: "$STORAGE_ACCOUNT_NAME"
  - name: containerName
    value: mycontainer
  - name: azureClientId
    value: "$CLIENT_ID"
scopes:
  - nodeapp
EOF

az containerapp env dapr-component set \
    --name $CONTAINERAPPS_ENVIRONMENT --resource-group $RESOURCE_GROUP \
    --dapr-component-name statestore \
    --yaml statestore.yaml

az containerapp create \
  --name nodeapp \
  --resource-group $RESOURCE_GROUP \
  --user-assigned $IDENTITY_ID \
  --environment $CONTAINERAPPS_ENVIRONMENT \
  --image dapriosamples/hello-k8s-node:latest \
  --min-replicas 1 \
  --max-replicas 1 \
  --enable-dapr \
  --dapr-app-id nodeapp \
  --dapr-app-port 3000 \
  --env-vars 'APP_PORT=3000'

az containerapp create \
  --name pythonapp \
  --resource-group $RESOURCE_GROUP \
  --environment $CONTAINERAPPS_ENVIRONMENT \
  --image dapriosamples/hello-k8s-python:latest \
  --min-replicas 1 \
  --max-replicas 1 \
  --enable-dapr \
  --dapr-app-id pythonapp

LOG_ANALYTICS_WORKSPACE_CLIENT_ID=`az containerapp env show --name $CONTAINERAPPS_ENVIRONMENT --resource-group $RESOURCE_GROUP --query properties.appLogsConfiguration.logAnalyticsConfiguration.customerId --out tsv`

# check
fail() { echo "CHECK FAILED: $*" >&2; exit 1; }
node_logs() { az containerapp logs show --name nodeapp --resource-group $RESOURCE_GROUP --tail 300 --format text; }
wait_logs() {  # text, seconds: the node app's logs once they show the text
  local deadline=$((SECONDS + $2)) logs=""
  while [ $SECONDS -lt $deadline ]; do
    logs=$(node_logs)
    if grep -qF -- "$1" <<<"$logs"; then printf '%s\n' "$logs"; return 0; fi
    sleep 1
  done
  printf '%s\n' "$logs" >&2
  fail "the node app's logs do not show '$1'"
}
last_order() { az storage blob download --account-name $STORAGE_ACCOUNT_NAME --container-name mycontainer \
                 --name order --auth-mode login | sed -n 's/.*"orderId":\([0-9]*\).*/\1/p'; }

[ -n "$LOG_ANALYTICS_WORKSPACE_CLIENT_ID" ] || fail "no Log Analytics customer id"
[ "$(az containerapp show -n nodeapp -g $RESOURCE_GROUP --query properties.configuration.dapr.appId -o tsv)" = nodeapp ]
# The node app logs each order and its persistence, as the tutorial's log query shows them.
logs=$(wait_logs "Successfully persisted state." 90)
grep -qE '^(.*[^0-9])?Got a new order! Order ID: [0-9]+$' <<<"$logs" || fail "no 'Got a new order!' line"
grep -A1 -E 'Got a new order! Order ID: [0-9]+$' <<<"$logs" | grep -qF "Successfully persisted state." \
  || fail "an order is not followed by 'Successfully persisted state.'"
# The state store's blob: the file named `order` in the container `mycontainer`, updated every second.
names=$(az storage blob list --account-name $STORAGE_ACCOUNT_NAME --container-name mycontainer --auth-mode login \
          --query "[].name" --output tsv)
[ "$names" = order ] || fail "mycontainer holds '$names', not the blob 'order'"
first=$(last_order)
[ -n "$first" ] || fail "the blob 'order' is not an order"
sleep 3
second=$(last_order)
[ "$second" -gt "$first" ] || fail "the order did not move on ($first, then $second)"
# pythonapp is out of the component's scopes; calls that succeed print nothing.
if az containerapp logs show --name pythonapp --resource-group $RESOURCE_GROUP --tail 20 --format text \
     | grep -q "HTTP [0-9]* =>"; then fail "pythonapp's calls are refused"; fi

# Without its role the node app's identity cannot write the blob: the orders fail, and come back with it.
SCOPE="/subscriptions/$SUBSCRIPTION_ID/resourceGroups/$RESOURCE_GROUP/providers/Microsoft.Storage/storageAccounts/$STORAGE_ACCOUNT_NAME"
az role assignment delete --assignee $PRINCIPAL_ID --role "Storage Blob Data Contributor" --scope "$SCOPE"
wait_logs "Failed to persist state." 30 >/dev/null
stuck=$(last_order)
sleep 3
[ "$(last_order)" = "$stuck" ] || fail "orders were persisted without the role"
az role assignment create --assignee $PRINCIPAL_ID --role "Storage Blob Data Contributor" --scope "$SCOPE" -o none
deadline=$((SECONDS + 30))
until [ "$(last_order)" -gt "$stuck" ]; do
  [ $SECONDS -lt $deadline ] || fail "orders did not resume with the role back"
  sleep 1
done

# A restarted node app gets its sidecar back and goes on persisting orders.
revision=$(az containerapp show -n nodeapp -g $RESOURCE_GROUP --query properties.latestRevisionName -o tsv)
az containerapp revision restart -n nodeapp -g $RESOURCE_GROUP --revision $revision -o none
before=$(last_order)
deadline=$((SECONDS + 60))
until [ "$(last_order)" -gt "$((before + 2))" ]; do
  [ $SECONDS -lt $deadline ] || fail "no orders persisted after the node app restarted"
  sleep 1
done

az group delete --resource-group $RESOURCE_GROUP --yes

# check
[ "$(az group exists --name $RESOURCE_GROUP)" = "false" ]
echo "microservices-dapr: all checks passed"
