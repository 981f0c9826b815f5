package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/netviz/netviz/internal/input"
	"github.com/netviz/netviz/internal/textsafe"
)

// WriteJSON writes m as indented, versioned JSON ("schema": "netviz/v1") in
// the model's sorted order.
func WriteJSON(w io.Writer, m *Model) error {
	m = m.Sorted()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return nil
}

// ReadJSON decodes a model written by WriteJSON. It refuses another schema,
// unknown fields and dangling references, so a model read back is one every
// consumer can trust.
func ReadJSON(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	var probe struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if probe.Schema != Schema {
		return nil, fmt.Errorf("decode model: schema %q is not %q", probe.Schema, Schema)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if err := Validate(&m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	m.Sort()
	return &m, nil
}

// MaxFileSize is the most of a model file ReadFile reads: a 10,000-container
// model is about 20 MiB of JSON.
const MaxFileSize = 64 << 20

// ReadFile reads a model written by WriteJSON from a regular file of at most
// MaxFileSize bytes (a pipe, a device or a larger file is an error).
func ReadFile(path string) (*Model, error) {
	data, err := input.ReadRegular(path, "model", MaxFileSize)
	if err != nil {
		return nil, err
	}
	m, err := ReadJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", textsafe.CleanN(path, 256), err)
	}
	return m, nil
}
