package wasmbin

import "fmt"

// reader decodes the primitive encodings of the wasm binary format. Every
// method checks bounds and reports ErrMalformed instead of panicking, since
// the input may be anything.
type reader struct {
	b   []byte
	off int
}

func (r *reader) done() bool { return r.off >= len(r.b) }

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrMalformed, r.off, fmt.Sprintf(format, args...))
}

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, r.errorf("unexpected end")
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

// uleb decodes an unsigned LEB128 number of at most bits bits (32 or 64),
// rejecting encodings longer than the format allows and unused high bits
// in the last byte, as validators do.
func (r *reader) uleb(bits uint) (uint64, error) {
	maxBytes := int((bits + 6) / 7)
	var v uint64
	for i := 0; ; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if i == maxBytes-1 {
			if c&0x80 != 0 {
				return 0, r.errorf("LEB128 longer than %d bytes", maxBytes)
			}
			if unused := bits - 7*uint(i); unused < 7 && c>>unused != 0 {
				return 0, r.errorf("LEB128 overflows %d bits", bits)
			}
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.uleb(32)
	return uint32(v), err
}

// skipS33 skips a signed 33-bit LEB128 (a heap type or block type index).
func (r *reader) skipS33() error {
	for i := 0; i < 5; i++ {
		c, err := r.byte()
		if err != nil {
			return err
		}
		if c&0x80 == 0 {
			return nil
		}
	}
	return r.errorf("LEB128 longer than 5 bytes")
}

// name decodes a vector of bytes (length, then bytes) as a string.
func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if uint64(n) > uint64(len(r.b)-r.off) {
		return "", r.errorf("name of %d bytes overruns its section", n)
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s, nil
}

// skipLimits skips table or memory limits: a flags byte (bit 0: a maximum
// follows, bit 1: shared, bit 2: 64-bit bounds) and one or two numbers.
func (r *reader) skipLimits() error {
	flags, err := r.byte()
	if err != nil {
		return err
	}
	if flags > 0x07 {
		return r.errorf("unknown limits flags 0x%02x", flags)
	}
	bits := uint(32)
	if flags&0x04 != 0 {
		bits = 64
	}
	if _, err := r.uleb(bits); err != nil {
		return err
	}
	if flags&0x01 != 0 {
		if _, err := r.uleb(bits); err != nil {
			return err
		}
	}
	return nil
}

// skipValType skips a value type. The reference types of the GC and
// function-references proposals (0x63 ref null ht, 0x64 ref ht) carry a
// heap type after the code byte; every other type is a single byte.
func (r *reader) skipValType() error {
	c, err := r.byte()
	if err != nil {
		return err
	}
	if c == 0x63 || c == 0x64 {
		return r.skipS33()
	}
	return nil
}

// skipImportDesc skips the description that follows an import's kind byte.
func (r *reader) skipImportDesc(k Kind) error {
	switch k {
	case KindFunc:
		_, err := r.u32() // type index
		return err
	case KindTable:
		if err := r.skipValType(); err != nil { // reference type
			return err
		}
		return r.skipLimits()
	case KindMemory:
		return r.skipLimits()
	case KindGlobal:
		if err := r.skipValType(); err != nil {
			return err
		}
		mut, err := r.byte()
		if err != nil {
			return err
		}
		if mut > 1 {
			return r.errorf("unknown global mutability %d", mut)
		}
		return nil
	case KindTag:
		if _, err := r.byte(); err != nil { // attribute: 0 = exception
			return err
		}
		_, err := r.u32() // type index
		return err
	}
	return r.errorf("unknown import kind %d", byte(k))
}

// appendU32 appends v as an unsigned LEB128 in the minimal number of bytes.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
