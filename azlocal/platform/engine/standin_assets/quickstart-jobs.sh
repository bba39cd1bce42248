#!/bin/sh
# k8se/quickstart-jobs: the Container Apps jobs quickstart's sample. It logs three lines (Go's log
# format: date, time, message), works for a few seconds and exits 0.
stamp() { date '+%Y/%m/%d %H:%M:%S'; }
echo "$(stamp) This is a sample application that demonstrates how to use Azure Container Apps jobs"
echo "$(stamp) Starting processing..."
sleep "${PROCESSING_SECONDS:-5}"
echo "$(stamp) Finished processing. Shutting down!"
