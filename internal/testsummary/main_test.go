package main

import (
	"bytes"
	"strings"
	"testing"
)

const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB/sub"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"    b_test.go:9: no PostgreSQL\n"}
{"Action":"skip","Package":"p","Test":"TestB/sub"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p"}
`

func TestSummary(t *testing.T) {
	for _, c := range []struct {
		name       string
		in         string
		failOnSkip bool
		code       int
		want       string
	}{
		{"skips allowed", stream, false, 0, "tests: 2 passed, 0 failed, 1 skipped"},
		{"skips fail in CI", stream, true, 1, "in CI every test must run"},
		{"failure", stream + `{"Action":"output","Package":"q","Test":"TestC","Output":"    c_test.go:3: boom\n"}
{"Action":"fail","Package":"q","Test":"TestC"}
{"Action":"fail","Package":"q"}
`, false, 1, "tests: 2 passed, 1 failed, 1 skipped"},
		{"build error", "# p\n./x.go:1: syntax error\n" + `{"Action":"fail","Package":"p"}` + "\n", false, 1, "FAILED  package p"},
		{"nothing ran", `{"Action":"pass","Package":"p"}` + "\n", false, 1, "no test ran"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			r, err := summarize(strings.NewReader(c.in), &out, false)
			if err != nil {
				t.Fatal(err)
			}
			code := r.report(&out, c.failOnSkip)
			if code != c.code || !strings.Contains(out.String(), c.want) {
				t.Errorf("code %d (want %d), output:\n%s\nwant it to contain %q", code, c.code, out.String(), c.want)
			}
		})
	}
	var out bytes.Buffer
	r, _ := summarize(strings.NewReader(stream), &out, false)
	r.report(&out, false)
	if !strings.Contains(out.String(), "SKIPPED p TestB/sub: b_test.go:9: no PostgreSQL") {
		t.Errorf("the skip reason is missing:\n%s", out.String())
	}
}
