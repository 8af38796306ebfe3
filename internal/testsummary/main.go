// Command testsummary reads `go test -json` on standard input, prints the
// tests' output as `go test` would, and closes with a count of passed,
// failed and skipped tests (subtests included) and the list of skipped and
// failed ones. It exits 1 when a test or package failed, and, with
// -fail-on-skip (CI), when any test was skipped.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type result struct {
	passed, failed, skipped []string
	pkgFailed               []string
	reasons                 map[string]string // skipped test → its last output line
}

func main() {
	failOnSkip := flag.Bool("fail-on-skip", false, "exit 1 when any test was skipped (CI)")
	quiet := flag.Bool("quiet", false, "print only failing tests' output and the summary")
	flag.Parse()
	r, err := summarize(os.Stdin, os.Stdout, *quiet)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	os.Exit(r.report(os.Stdout, *failOnSkip))
}

func summarize(in io.Reader, out io.Writer, quiet bool) (*result, error) {
	r := &result{reasons: map[string]string{}}
	outputs := map[string][]string{} // test → its output, kept for failures when quiet
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // build errors and other plain lines
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if quiet {
				if e.Test != "" {
					outputs[key] = append(outputs[key], e.Output)
				} else if strings.HasPrefix(e.Output, "FAIL") || strings.HasPrefix(e.Output, "ok") || strings.Contains(e.Output, "panic") {
					fmt.Fprint(out, e.Output)
				}
			} else {
				fmt.Fprint(out, e.Output)
			}
			if e.Test != "" {
				if s := strings.TrimSpace(e.Output); s != "" && !strings.HasPrefix(s, "---") && !strings.HasPrefix(s, "===") {
					r.reasons[key] = s
				}
			}
		case "pass":
			if e.Test != "" {
				r.passed = append(r.passed, key)
			}
			delete(outputs, key)
		case "skip":
			if e.Test != "" {
				r.skipped = append(r.skipped, key)
			}
			delete(outputs, key)
		case "fail":
			if e.Test != "" {
				r.failed = append(r.failed, key)
				if quiet {
					fmt.Fprint(out, strings.Join(outputs[key], ""))
				}
			} else {
				r.pkgFailed = append(r.pkgFailed, e.Package)
			}
			delete(outputs, key)
		}
	}
	return r, sc.Err()
}

// report prints the summary and returns the exit code.
func (r *result) report(out io.Writer, failOnSkip bool) int {
	sort.Strings(r.skipped)
	sort.Strings(r.failed)
	fmt.Fprintln(out)
	for _, s := range r.skipped {
		fmt.Fprintf(out, "SKIPPED %s: %s\n", s, r.reasons[s])
	}
	for _, f := range r.failed {
		fmt.Fprintf(out, "FAILED  %s\n", f)
	}
	for _, p := range r.pkgFailed {
		fmt.Fprintf(out, "FAILED  package %s\n", p)
	}
	fmt.Fprintf(out, "tests: %d passed, %d failed, %d skipped\n", len(r.passed), len(r.failed), len(r.skipped))
	switch {
	case len(r.failed) > 0 || len(r.pkgFailed) > 0:
		return 1
	case len(r.passed) == 0:
		fmt.Fprintln(out, "testsummary: no test ran")
		return 1
	case failOnSkip && len(r.skipped) > 0:
		fmt.Fprintf(out, "testsummary: %d tests skipped; in CI every test must run\n", len(r.skipped))
		return 1
	}
	return 0
}
