# Run `make help` for the targets.
.DEFAULT_GOAL := help
GO ?= go

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## Start the server on the embedded SQLite default with demo data.
	$(GO) run ./cmd/api --demo

test: ## Run every test (PostgreSQL suites skip if it is unreachable, unless CI=true).
	$(GO) test ./...

hostile: ## Run the hostile-input suite: the binary under a memory cap, on SQLite and PostgreSQL.
	HOSTILE=1 $(GO) test -count=1 -v ./hostile/

race: ## Run every test under the race detector.
	$(GO) test -race ./...

generate: ## Regenerate gqlgen code after editing schema.graphqls or gqlgen.yml.
	$(GO) generate ./...

vet: ## Run go vet.
	$(GO) vet ./...

ci: ## Run what CI runs (installs and starts PostgreSQL if needed).
	CI=true bash .ci/run

.PHONY: help run test hostile race generate vet ci
