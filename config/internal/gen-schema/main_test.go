package main

import (
	"bytes"
	"os"
	"testing"
)

// TestSchemaUpToDate fails when the committed schema differs from what the
// Go types generate.
func TestSchemaUpToDate(t *testing.T) {
	t.Chdir("../..") // the config directory, as under go generate
	want, err := generate(".")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("config/%s is out of date with the Go types in config; regenerate it with: go generate ./config", schemaFile)
	}
}
