package httpx

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
)

// TestServerErrorsAreLogged: a 5xx goes to the configured logger with its
// cause; the client sees a generic problem, never the cause.
func TestServerErrorsAreLogged(t *testing.T) {
	var logs bytes.Buffer
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(slog.New(slog.NewJSONHandler(&logs, nil)))})
	app.Get("/api/boom", func(c *fiber.Ctx) error { return errors.New("disk on fire") })
	app.Get("/api/missing", func(c *fiber.Ctx) error { return fail.NotFoundErr() })
	app.Get("/api/conflict", func(c *fiber.Ctx) error { return fail.ConflictErr("ErrSlugTaken") })
	resp, err := app.Test(httptest.NewRequest("GET", "/api/boom", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || strings.Contains(string(body), "disk on fire") || !strings.Contains(string(body), "urn:masseflyt:problem:internal") {
		t.Errorf("500: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), `"status":500`) {
		t.Errorf("the cause was not logged: %q", logs.String())
	}
	logs.Reset()
	for path, want := range map[string]int{"/api/missing": 404, "/api/conflict": 409} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil))
		if err != nil || resp.StatusCode != want {
			t.Errorf("%s: %v %d, want %d", path, err, resp.StatusCode, want)
		}
	}
	if logs.Len() != 0 {
		t.Errorf("4xx must not be logged as errors: %q", logs.String())
	}
}
