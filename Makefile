.PHONY: run test bench build clean

# Start the platform with demo data on the embedded SQLite default.
run:
	go run ./cmd/masseflyt serve --demo

# The whole test suite: SQLite and a throwaway PostgreSQL (required in CI).
test:
	scripts/test.sh

# Benchmarks recorded in docs/PERFORMANCE.md.
bench:
	go test -run '^$$' -bench . -benchmem -count 5 ./...

build:
	go build -o masseflyt ./cmd/masseflyt

clean:
	rm -rf data masseflyt
