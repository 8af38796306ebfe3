package app_test

import (
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }
