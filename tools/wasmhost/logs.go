//go:build !wasip1

package wasmhost

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Level is a proxy-wasm log level.
type Level uint32

// Log levels of the proxy-wasm ABI (proxy_log's first argument).
const (
	LevelTrace Level = iota
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
	LevelCritical
)

var levelNames = [...]string{"trace", "debug", "info", "warn", "error", "critical"}

// String returns Envoy's name of the level ("info", "critical", ...).
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", uint32(l))
}

// MarshalText makes LogLine's JSON carry the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a level's name, so /logs lines decode into LogLine.
func (l *Level) UnmarshalText(b []byte) error {
	for i, name := range levelNames {
		if string(b) == name {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("unknown log level %q: use one of %s", b, strings.Join(levelNames[:], ", "))
}

// Sources of log lines.
const (
	// SourceProxyLog marks a line the plugin logged with proxy_log.
	SourceProxyLog = "proxy_log"
	// SourceStdout and SourceStderr mark lines the module wrote to fd 1
	// (logged at info, as Envoy does) and fd 2 (logged at error).
	SourceStdout = "stdout"
	SourceStderr = "stderr"
	// SourceHost marks the host's own events: VM failures, double local
	// replies, unsupported calls.
	SourceHost = "host"
)

// LogLine is one line of the plugin's or the host's log.
type LogLine struct {
	Time    time.Time `json:"time"`
	VM      int       `json:"vm"` // index of the VM, from 0; -1 for host-wide events
	Level   Level     `json:"level"`
	Source  string    `json:"source"`
	Message string    `json:"message"`
}

// String formats the line the way Envoy's log does, with the VM index in
// place of Envoy's thread id.
func (l LogLine) String() string {
	what := "wasm log: "
	if l.Source == SourceHost {
		what = ""
	}
	return fmt.Sprintf("[%s][vm%d][%s][wasm] %s%s", l.Time.Format("2006-01-02 15:04:05.000"), l.VM, l.Level, what, l.Message)
}

// logStore keeps the most recent log lines of every VM and mirrors lines at
// info and above to an optional writer (Envoy's default log level is info).
type logStore struct {
	mu     sync.Mutex
	lines  []LogLine
	mirror io.Writer
}

func (s *logStore) add(l LogLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lines) >= maxLogLines {
		s.lines = append(s.lines[:0], s.lines[len(s.lines)-maxLogLines/2:]...)
	}
	s.lines = append(s.lines, l)
	if s.mirror != nil && l.Level >= LevelInfo {
		_, _ = io.WriteString(s.mirror, l.String()+"\n")
	}
}

func (s *logStore) snapshot() []LogLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LogLine(nil), s.lines...)
}

// pluginLog records a line the module produced and keeps it for the error
// message of a failure in the current guest call.
func (v *vm) pluginLog(level Level, source, msg string) {
	v.host.logs.add(LogLine{Time: time.Now(), VM: v.index, Level: level, Source: source, Message: msg})
	if len(v.crash) > 0 && len(v.crash) < maxRecentLines {
		v.crash = append(v.crash, msg)
	} else if len(v.crash) == 0 && (strings.HasPrefix(msg, "panic: ") || strings.HasPrefix(msg, "fatal error: ")) {
		v.crash = append(v.crash, msg)
	}
	// Start-up quotes everything the plugin said (a refused configuration
	// lists every problem); a failure later quotes the last lines.
	limit := maxRecentLines
	if v.starting {
		limit = maxStartupLines
	}
	if len(v.recent) >= limit {
		v.recent = append(v.recent[:0], v.recent[1:]...)
		v.omitted++
	}
	v.recent = append(v.recent, msg)
}

// hostLine is a log line of the host not tied to a VM.
func hostLine(level Level, msg string) LogLine {
	return LogLine{Time: time.Now(), VM: -1, Level: level, Source: SourceHost, Message: msg}
}

// hostLog records an event of the host concerning this VM.
func (v *vm) hostLog(level Level, msg string) {
	v.host.logs.add(LogLine{Time: time.Now(), VM: v.index, Level: level, Source: SourceHost, Message: msg})
}

// writeStdio splits what the module writes to stdout or stderr into lines.
// Envoy logs each fd_write call as one line; the Go runtime writes a message
// in pieces, so the host joins them to keep messages readable.
func (v *vm) writeStdio(fd uint32, data []byte) {
	buf := &v.stdio[fd]
	buf.Write(data)
	for {
		i := bytes.IndexByte(buf.Bytes(), '\n')
		if i < 0 {
			return
		}
		line := string(buf.Next(i + 1))
		v.pluginLog(stdioLevel(fd), stdioSource(fd), strings.TrimSuffix(line, "\n"))
	}
}

// flushStdio logs what is left of unterminated stdout/stderr lines; it runs
// when a guest call returns.
func (v *vm) flushStdio() {
	for fd := uint32(1); fd <= 2; fd++ {
		if v.stdio[fd].Len() > 0 {
			v.pluginLog(stdioLevel(fd), stdioSource(fd), v.stdio[fd].String())
			v.stdio[fd].Reset()
		}
	}
}

func stdioLevel(fd uint32) Level {
	if fd == 2 {
		return LevelError
	}
	return LevelInfo
}

func stdioSource(fd uint32) string {
	if fd == 2 {
		return SourceStderr
	}
	return SourceStdout
}

// recentOutput quotes the module's output of the current guest call (of
// all start-up calls during start-up) for an error message: a Go crash
// report ("panic:" or "fatal error:" and the lines after it) if there is
// one, else the last lines.
func (v *vm) recentOutput() string {
	lines := v.recent
	if len(v.crash) > 0 {
		lines = v.crash
	}
	if len(lines) == 0 {
		return ""
	}
	head := "\n\tplugin output:"
	if v.omitted > 0 && len(v.crash) == 0 {
		head += fmt.Sprintf(" (%d earlier lines omitted)", v.omitted)
	}
	return head + "\n\t\t" + strings.Join(lines, "\n\t\t")
}
