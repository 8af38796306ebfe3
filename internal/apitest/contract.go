package apitest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/app"
)

// The contract: every response to an /api/v1 request sent through Env.Do is
// checked against the OpenAPI document generated from the app's API route
// table (apidoc). A route or status the document does not declare, a
// content type it does not list for that status, or a JSON body its schema
// rejects fails the test.

var (
	contractOnce sync.Once
	theContract  *contract
	contractErr  error
)

// contract is a loaded document with its paths, most specific first.
type contract struct {
	doc   *openapi3.T
	paths []contractPath
}

type contractPath struct {
	template string
	segs     []string
	literals int
	item     *openapi3.PathItem
}

// Contract returns the OpenAPI document of a's API table, generated and
// loaded once per process (every app of the process serves the same table).
func Contract(a *app.App) (*openapi3.T, error) {
	c, err := appContract(a)
	if err != nil {
		return nil, err
	}
	return c.doc, nil
}

func appContract(a *app.App) (*contract, error) {
	contractOnce.Do(func() {
		// A build error (a stale note…) fails TestOpenAPIDocument; the
		// responses are checked against what could be generated.
		raw, err := apidoc.JSON(apidoc.Entries(a.Tables()))
		if raw == nil {
			contractErr = fmt.Errorf("the OpenAPI document cannot be generated: %w", err)
			return
		}
		theContract, contractErr = loadContract(raw)
	})
	return theContract, contractErr
}

// loadContract loads a document.
func loadContract(raw []byte) (*contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	c := &contract{doc: doc}
	for tpl, item := range doc.Paths.Map() {
		p := contractPath{template: tpl, segs: strings.Split(strings.Trim(tpl, "/"), "/"), item: item}
		for _, s := range p.segs {
			if !strings.HasPrefix(s, "{") {
				p.literals++
			}
		}
		c.paths = append(c.paths, p)
	}
	sort.Slice(c.paths, func(i, j int) bool {
		if c.paths[i].literals != c.paths[j].literals {
			return c.paths[i].literals > c.paths[j].literals
		}
		return c.paths[i].template < c.paths[j].template
	})
	return c, nil
}

// findPath matches a request path to a path template of the document.
func (c *contract) findPath(path string) (*contractPath, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
next:
	for i := range c.paths {
		p := &c.paths[i]
		if len(p.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		for k, s := range p.segs {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if segs[k] == "" {
					continue next
				}
				params[strings.Trim(s, "{}")] = segs[k]
			} else if s != segs[k] {
				continue next
			}
		}
		return p, params
	}
	return nil, nil
}

// apiPath is the path the app routes a request on: on a region's own host,
// /api/v1/… is served as /api/v1/tenants/{slug}/… (see app.wrapHost).
func (e *Env) apiPath(req *http.Request) string {
	p := req.URL.Path
	if req.Host == "" || strings.HasPrefix(p, "/api/v1/tenants/") || strings.HasPrefix(p, "/api/v1/platform") ||
		p == "/api/v1/openapi.json" || p == "/api/v1/docs" {
		return p
	}
	if t, ok := e.App.Tenants.ByHost(req.Host); ok && (p == "/api/v1" || strings.HasPrefix(p, "/api/v1/")) {
		return "/api/v1/tenants/" + t.Slug + strings.TrimPrefix(p, "/api/v1")
	}
	return p
}

// isJSON reports whether a media type carries JSON.
func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// checkContract validates one response against the document; a mismatch
// fails the test with the route, the status and the reason.
func (e *Env) checkContract(req *http.Request, resp *Response) {
	e.T.Helper()
	path := e.apiPath(req)
	if (path != "/api/v1" && !strings.HasPrefix(path, "/api/v1/")) || req.Method == http.MethodHead {
		return
	}
	c, err := appContract(e.App)
	if err != nil {
		e.T.Errorf("contract: %v", err)
		return
	}
	if err := c.check(req, path, resp); err != nil {
		e.T.Errorf("contract: %s %s → %d: %v", req.Method, req.URL.RequestURI(), resp.Status, err)
	}
}

func (c *contract) check(req *http.Request, path string, resp *Response) error {
	doc := c.doc
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	p, params := c.findPath(path)
	var op *openapi3.Operation
	if p != nil {
		op = p.item.GetOperation(req.Method)
	}
	if op == nil {
		// Outside the document only the router's own answer is allowed: an
		// unknown path or method is a 404 or 405 problem.
		if (resp.Status == 404 || resp.Status == 405) && mt == "application/problem+json" {
			body, err := decoded(resp)
			if err != nil {
				return err
			}
			return validateProblem(doc, body)
		}
		if p == nil {
			return fmt.Errorf("no path of the OpenAPI document matches %s", path)
		}
		return fmt.Errorf("%s %s is not in the OpenAPI document", req.Method, p.template)
	}
	where := req.Method + " " + p.template
	if resp.Status == http.StatusNotModified {
		if op.Responses.Status(304) == nil {
			return fmt.Errorf("%s: status 304 is not in the OpenAPI document", where)
		}
		return nil
	}
	rr := op.Responses.Status(resp.Status)
	if rr == nil || rr.Value == nil {
		return fmt.Errorf("%s: status %d is not in the OpenAPI document", where, resp.Status)
	}
	content := rr.Value.Content
	if len(content) == 0 {
		if len(bytes.TrimSpace(resp.Body)) > 0 {
			return fmt.Errorf("%s: status %d is documented without a body, but one was sent (%s)", where, resp.Status, ct)
		}
		return nil
	}
	if content.Get(ct) == nil {
		return fmt.Errorf("%s: status %d: content type %q is not in the OpenAPI document", where, resp.Status, ct)
	}
	if !isJSON(mt) {
		return nil // binary, HTML: the status and content type are checked
	}
	body, err := decoded(resp)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      &routers.Route{Spec: doc, Path: p.template, PathItem: p.item, Method: req.Method, Operation: op},
		},
		Status:  resp.Status,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s: %s\nbody: %s", where, brief(err), clip(body))
	}
	return nil
}

// decoded returns the body without its content encoding.
func decoded(resp *Response) ([]byte, error) {
	switch enc := resp.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return resp.Body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(resp.Body))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		return io.ReadAll(zr)
	case "deflate":
		return io.ReadAll(flate.NewReader(bytes.NewReader(resp.Body)))
	default:
		return nil, fmt.Errorf("the harness cannot decode Content-Encoding %q", enc)
	}
}

// validateProblem checks a body against the document's Problem schema.
func validateProblem(doc *openapi3.T, body []byte) error {
	s := doc.Components.Schemas["Problem"]
	if s == nil || s.Value == nil {
		return fmt.Errorf("the OpenAPI document has no Problem schema")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("problem body is not JSON: %w", err)
	}
	if err := s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("problem body does not match the Problem schema: %s\nbody: %s", brief(err), clip(body))
	}
	return nil
}

// brief renders a validation error as the failing places and reasons,
// without the schemas kin-openapi prints.
func brief(err error) string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		var se *openapi3.SchemaError
		var re *openapi3filter.ResponseError
		switch {
		case errors.As(err, &re) && re.Err != nil:
			out = append(out, re.Reason+":")
			walk(re.Err)
		case errors.As(err, &me):
			for _, e := range me {
				walk(e)
			}
		case errors.As(err, &se):
			out = append(out, fmt.Sprintf("at /%s: %s", strings.Join(se.JSONPointer(), "/"), se.Reason))
		default:
			msg, _, _ := strings.Cut(err.Error(), "\n")
			out = append(out, msg)
		}
	}
	walk(err)
	return strings.Join(out, " ")
}

func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "… (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return string(b)
}
