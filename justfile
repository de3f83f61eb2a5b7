# Recipes for teams that drive their repositories with `just` (`npx just …`: the rust-just
# package is a root devDependency). Each one calls the npm script of the same name, so npm
# stays the one definition of how the project runs.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @{{ just_executable() }} --list

# A PostgreSQL for development (Docker Compose, or guidance to use an existing server).
dev-up:
    npm run dev-up

# The gateway and the Workbench against the configured database (after `just migrate`).
skeleton-up:
    npm run skeleton-up

# Apply pending migrations; `just migrate status` lists applied and pending ones.
migrate *args:
    npm run migrate {{ if args == "" { "" } else { "-- " + args } }}

# There is no npm script per package for these, so this calls Vitest the way `npm test` does,
# narrowed to that package's Vitest project and its adapters/tests/integration folder.

# A package's adapter integration tests, e.g. `just test-adapters governance-runtime`.
test-adapters package:
    npm exec -- vitest run --project {{ quote(package) }} adapters/tests/integration
