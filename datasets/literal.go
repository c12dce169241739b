package datasets

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file parses one object per line written either as JSON or as a Python literal (the text of
// Python's repr of a dict: single- or double-quoted strings with Python escapes, True/False/None,
// tuples). The 2014 Amazon metadata files (meta_*.json.gz) are Python 2 reprs, which strict JSON
// parsers reject, while the review files are JSON; one parser reads both.
//
// Strings follow Python 2 str semantics where the two languages differ: "\xNN" is the byte NN (the
// files hold UTF-8 bytes escaped one by one), unless the string has a u prefix, where it is the
// code point U+00NN. "\uNNNN" is a code point in both, and JSON's surrogate pairs are combined
// (a lone surrogate becomes U+FFFD, as encoding/json does).

// litMaxDepth bounds nesting, as encoding/json does (10000), so that hostile input cannot exhaust
// the stack and every document encoding/json accepts is accepted here too.
const litMaxDepth = 10000

// litNumber is a number as written (JSON or Python syntax), converted by the caller.
type litNumber string

// litError locates a syntax error by byte offset in the line.
type litError struct {
	off int  // 0-based
	end bool // at the end of the line
	msg string
}

func (e *litError) Error() string {
	if e.end {
		return "at the end of the line: " + e.msg
	}
	return fmt.Sprintf("byte %d: %s", e.off+1, e.msg)
}

// parseLiteralObject parses b, one object, calling got(key, value) for each key that want accepts,
// in order (a key given twice is reported twice). Values are string, litNumber, bool, nil (None,
// null), []any (lists and tuples) and map[string]any (keys as text); the values of other keys are
// checked but not built.
func parseLiteralObject(b []byte, want func(key string) bool, got func(key string, v any)) error {
	p := &litParser{b: b}
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return p.fail("want an object starting with '{'")
	}
	if _, err := p.object(0, want, got); err != nil {
		return err
	}
	p.space()
	if p.i < len(p.b) {
		return p.fail("unexpected text after the object")
	}
	return nil
}

type litParser struct {
	b []byte
	i int
}

func (p *litParser) fail(format string, args ...any) error {
	return &litError{off: p.i, end: p.i >= len(p.b), msg: fmt.Sprintf(format, args...)}
}

func (p *litParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses one value; build false only checks it (and returns nil).
func (p *litParser) value(depth int, build bool) (any, error) {
	if depth > litMaxDepth {
		return nil, p.fail("nested deeper than %d", litMaxDepth)
	}
	p.space()
	if p.i >= len(p.b) {
		return nil, p.fail("unexpected end of line, want a value")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		if !build {
			_, err := p.object(depth, func(string) bool { return false }, nil)
			return nil, err
		}
		m := map[string]any{}
		_, err := p.object(depth, func(string) bool { return true }, func(k string, v any) { m[k] = v })
		return m, err
	case c == '[' || c == '(':
		return p.list(depth, build)
	case c == '"' || c == '\'':
		return p.str(build)
	case c == '-' || c == '+' || c == '.' || ('0' <= c && c <= '9'):
		return p.number()
	}
	word := p.word()
	switch word {
	case "True", "true":
		return true, nil
	case "False", "false":
		return false, nil
	case "None", "null":
		return nil, nil
	case "nan", "inf", "NaN", "Infinity":
		return litNumber(word), nil
	}
	if len(word) <= 2 && p.i < len(p.b) && (p.b[p.i] == '\'' || p.b[p.i] == '"') && isStrPrefix(word) {
		p.i -= len(word)
		return p.str(build)
	}
	p.i -= len(word)
	return nil, p.fail("unexpected %s, want a value", quote(p.b[p.i:min(p.i+10, len(p.b))]))
}

// word consumes a run of ASCII letters.
func (p *litParser) word() string {
	j := p.i
	for p.i < len(p.b) && ('a' <= p.b[p.i]|0x20 && p.b[p.i]|0x20 <= 'z') {
		p.i++
	}
	return string(p.b[j:p.i])
}

// isStrPrefix reports whether w is a Python string prefix: u, b, r, or two of them but u.
func isStrPrefix(w string) bool {
	switch len(w) {
	case 1:
		switch w[0] | 0x20 {
		case 'u', 'b', 'r':
			return true
		}
	case 2:
		a, b := w[0]|0x20, w[1]|0x20
		return (a == 'b' && b == 'r') || (a == 'r' && b == 'b')
	}
	return false
}

// object parses {key: value, ...}; the caller has seen '{'. A trailing comma is allowed (Python).
func (p *litParser) object(depth int, want func(string) bool, got func(string, any)) (any, error) {
	p.i++ // '{'
	for first := true; ; first = false {
		p.space()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return nil, nil
		}
		if !first {
			if p.i >= len(p.b) || p.b[p.i] != ',' {
				return nil, p.fail("want ',' or '}' in an object")
			}
			p.i++
			p.space()
			if p.i < len(p.b) && p.b[p.i] == '}' {
				p.i++
				return nil, nil
			}
		}
		k, err := p.value(depth+1, true)
		if err != nil {
			return nil, err
		}
		key, err := keyText(k)
		if err != nil {
			return nil, p.fail("%v", err)
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("want ':' after the key %q", key)
		}
		p.i++
		wanted := want(key)
		v, err := p.value(depth+1, wanted)
		if err != nil {
			return nil, err
		}
		if wanted && got != nil {
			got(key, v)
		}
	}
}

// keyText is a dict key as text: strings, numbers and Python's constants may be keys.
func keyText(k any) (string, error) {
	switch k := k.(type) {
	case string:
		return k, nil
	case litNumber:
		return string(k), nil
	case bool:
		return strconv.FormatBool(k), nil
	case nil:
		return "None", nil
	}
	return "", fmt.Errorf("a list or object cannot be a key")
}

// list parses [a, b, ...] or (a, b, ...); a trailing comma is allowed (Python).
func (p *litParser) list(depth int, build bool) (any, error) {
	end := byte(']')
	if p.b[p.i] == '(' {
		end = ')'
	}
	p.i++
	var out []any
	if build {
		out = []any{}
	}
	for first := true; ; first = false {
		p.space()
		if p.i < len(p.b) && p.b[p.i] == end {
			p.i++
			return out, nil
		}
		if !first {
			if p.i >= len(p.b) || p.b[p.i] != ',' {
				return nil, p.fail("want ',' or '%c' in a list", end)
			}
			p.i++
			p.space()
			if p.i < len(p.b) && p.b[p.i] == end {
				p.i++
				return out, nil
			}
		}
		v, err := p.value(depth+1, build)
		if err != nil {
			return nil, err
		}
		if build {
			out = append(out, v)
		}
	}
}

// number consumes a JSON or Python number: sign, digits, fraction, exponent, and Python 2's long
// suffix L or a complex j.
func (p *litParser) number() (any, error) {
	j := p.i
	if c := p.b[p.i]; c == '-' || c == '+' {
		p.i++
		w := p.word()
		if w == "inf" || w == "Infinity" || w == "nan" || w == "NaN" {
			return litNumber(p.b[j:p.i]), nil
		}
		p.i -= len(w)
	}
	digits := 0
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' || c == '_':
		case c == 'e' || c == 'E':
			if p.i+1 < len(p.b) && (p.b[p.i+1] == '-' || p.b[p.i+1] == '+') {
				p.i++
			}
		default:
			goto done
		}
		p.i++
	}
done:
	if digits == 0 {
		p.i = j
		return nil, p.fail("%s is not a number", quote(p.b[j:min(j+10, len(p.b))]))
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case 'l', 'L', 'j', 'J':
			p.i++
		}
	}
	return litNumber(p.b[j:p.i]), nil
}

// str parses a quoted string with an optional prefix (u, b, r, br, rb); build false only finds its end.
func (p *litParser) str(build bool) (any, error) {
	unicodeX, raw := false, false
	for p.b[p.i] != '\'' && p.b[p.i] != '"' {
		switch p.b[p.i] | 0x20 {
		case 'u':
			unicodeX = true
		case 'r':
			raw = true
		}
		p.i++
	}
	q := p.b[p.i]
	start := p.i
	p.i++
	var out []byte
	plain := p.i // start of the run of bytes copied as is
	for {
		if p.i >= len(p.b) {
			p.i = start
			return nil, p.fail("string not closed")
		}
		c := p.b[p.i]
		if c == q {
			if !build {
				p.i++
				return nil, nil
			}
			out = append(out, p.b[plain:p.i]...)
			p.i++
			return string(out), nil
		}
		if c != '\\' {
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			p.i = start
			return nil, p.fail("string not closed")
		}
		if raw { // a backslash keeps the next character, which cannot close the string
			p.i += 2
			continue
		}
		if build {
			out = append(out, p.b[plain:p.i]...)
		}
		var err error
		if out, err = p.escape(out, unicodeX); err != nil {
			return nil, err
		}
		if !build {
			out = out[:0] // checked, not kept
		}
		plain = p.i
	}
}

// litSimpleEscapes maps the letter of a one-letter escape (Python's and JSON's) to its byte; 0 for others.
var litSimpleEscapes = [256]byte{'\\': '\\', '\'': '\'', '"': '"', '/': '/', 'a': 7, 'b': 8, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11}

// escape decodes the escape sequence at p.i (a backslash) onto out.
func (p *litParser) escape(out []byte, unicodeX bool) ([]byte, error) {
	at := p.i
	e := p.b[p.i+1]
	p.i += 2
	if c := litSimpleEscapes[e]; c != 0 {
		return append(out, c), nil
	}
	hex := func(n int) (rune, error) {
		if p.i+n > len(p.b) {
			p.i = at
			return 0, p.fail("escape \\%c needs %d hex digits", e, n)
		}
		v, err := strconv.ParseUint(string(p.b[p.i:p.i+n]), 16, 32)
		if err != nil {
			p.i = at
			return 0, p.fail("escape \\%c needs %d hex digits", e, n)
		}
		p.i += n
		return rune(v), nil
	}
	switch {
	case e == '\n':
		return out, nil // a line continuation
	case '0' <= e && e <= '7':
		v := int(e - '0')
		for k := 0; k < 2 && p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '7'; k++ {
			v = v*8 + int(p.b[p.i]-'0')
			p.i++
		}
		if unicodeX {
			return utf8.AppendRune(out, rune(v)), nil
		}
		return append(out, byte(v)), nil
	case e == 'x':
		v, err := hex(2)
		if err != nil {
			return nil, err
		}
		if unicodeX {
			return utf8.AppendRune(out, v), nil
		}
		return append(out, byte(v)), nil
	case e == 'U':
		v, err := hex(8)
		if err != nil {
			return nil, err
		}
		if !utf8.ValidRune(v) {
			v = utf8.RuneError
		}
		return utf8.AppendRune(out, v), nil
	case e == 'u':
		v, err := hex(4)
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(v) {
			// Combine with a following \u low surrogate, as JSON writes code points above U+FFFF.
			if p.i+6 <= len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				if lo, err := strconv.ParseUint(string(p.b[p.i+2:p.i+6]), 16, 32); err == nil {
					if r := utf16.DecodeRune(v, rune(lo)); r != utf8.RuneError {
						p.i += 6
						return utf8.AppendRune(out, r), nil
					}
				}
			}
			v = utf8.RuneError
		}
		return utf8.AppendRune(out, v), nil
	}
	// Python keeps an unknown escape as written.
	return append(out, '\\', e), nil
}
