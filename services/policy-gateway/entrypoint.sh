#!/bin/sh
# Container entrypoint of the policy gateway: start the HTTP service and nothing else.
# Migrations are a separate step (compose's one-shot `migrate` service, the Kubernetes Job):
# run in every replica they would race each other and hold start-up behind index builds.
# `exec` replaces this shell, so the gateway is PID 1's direct successor and receives
# SIGTERM itself (graceful drain, exit 0) instead of a shell that would swallow it.
set -eu

exec policy-gateway serve "$@"
