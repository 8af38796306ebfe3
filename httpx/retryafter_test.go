package httpx_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
)

// TestBusyGives503RetryAfterH2: a busy database answers 503 with
// Retry-After and problem+json, never 500.
func TestBusyGives503RetryAfterH2(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: httpx.ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Post("/api/v1/x", func(c *fiber.Ctx) error {
		return store.Busy(errors.New("database is locked (5) (SQLITE_BUSY)"))
	})
	res, err := app.Test(httptest.NewRequest("POST", "/api/v1/x", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("%d Retry-After=%q %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
}
