package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// WriteJSON writes m as indented, versioned JSON ("schema": "netviz/v1") in
// the model's sorted order.
func WriteJSON(w io.Writer, m *Model) error {
	m.Sort()
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

// ReadFile reads a model written by WriteJSON from a file.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
