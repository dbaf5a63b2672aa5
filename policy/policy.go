package policy

// Policy is a compiled, immutable CORS policy. It is safe for concurrent use;
// Evaluate only reads it.
type Policy struct {
	top      *scope
	warnings []*FieldError
}

// Load parses, validates and compiles a JSON configuration. A configuration
// with any problem yields a *ConfigError listing every one of them, each with
// its JSON path, value and reason.
func Load(data []byte) (*Policy, error) {
	var p problems
	c := parseConfig(data, &p)
	// Compile even after parse errors: the values that could be read may
	// have problems of their own, and the operator should see them all now.
	return compileConfig(c, &p)
}

// Compile validates a Config and compiles it into a Policy, reporting every
// problem at once as a *ConfigError.
func Compile(c *Config) (*Policy, error) {
	var p problems
	return compileConfig(c, &p)
}

func compileConfig(c *Config, p *problems) (*Policy, error) {
	k := &compiler{c: c, p: p}
	top := k.compile()
	if err := p.err(); err != nil {
		return nil, err
	}
	return &Policy{top: top, warnings: p.warnings}, nil
}

// Warnings lists what was accepted but is probably not what the operator
// meant: duplicates, redundant entries, entries without effect, a policy that
// allows no origin.
func (p *Policy) Warnings() []*FieldError {
	return p.warnings
}
