// Command gen writes rules.txt from the Public Suffix List: every rule of
// public_suffix_list.dat (ICANN and private sections), converted to ASCII,
// lower case, sorted and de-duplicated, one per line. It takes the list from
// the Go module proxy (github.com/publicsuffix/list at -version).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/corswasm/corswasm/internal/psl"
)

func main() {
	version := flag.String("version", "", "version of github.com/publicsuffix/list")
	out := flag.String("out", "rules.txt", "file to write")
	compactOut := flag.String("compact", "", "file to write the compact form to (psl.Encode)")
	flag.Parse()
	if err := run(*version, *out, *compactOut); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(version, out, compactOut string) error {
	if version == "" {
		return fmt.Errorf("-version is required")
	}
	dl, err := exec.Command("go", "mod", "download", "-json", "github.com/publicsuffix/list@"+version).Output()
	if err != nil {
		return fmt.Errorf("downloading the list: %w", err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(dl, &mod); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(mod.Dir, "public_suffix_list.dat"))
	if err != nil {
		return err
	}
	rules, err := parse(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(strings.Join(rules, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	if compactOut == "" {
		return nil
	}
	bin, err := psl.Encode(rules)
	if err != nil {
		return err
	}
	return os.WriteFile(compactOut, bin, 0o644)
}

// parse extracts the rules: per the list's format, the first
// whitespace-delimited word of each line that is not blank or a comment.
func parse(data []byte) ([]string, error) {
	var rules []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "//") {
			continue
		}
		rule, err := ascii(fields[0])
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", fields[0], err)
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.Sort(rules)
	return slices.Compact(rules), nil
}

// ascii converts a rule to the form hosts take in origins, keeping its "!"
// and "*" markers.
func ascii(rule string) (string, error) {
	prefix := ""
	if strings.HasPrefix(rule, "!") {
		prefix, rule = "!", rule[1:]
	}
	if strings.HasPrefix(rule, "*.") {
		prefix, rule = prefix+"*.", rule[2:]
	}
	a, err := idna.Lookup.ToASCII(rule)
	if err != nil {
		return "", err
	}
	return prefix + strings.ToLower(a), nil
}
