package convert

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// rawJSON keeps part of a document as JSON text.
type rawJSON = json.RawMessage

// decodeJSON decodes js into v.
func decodeJSON(js []byte, v any) error {
	return json.NewDecoder(bytes.NewReader(js)).Decode(v)
}

// goDurations rewrites, in the JSON js of a message md, every
// google.protobuf.Duration written as Kubernetes manifests write them
// ("24h", "1m30s") into the form protojson reads ("86400s"). Istio's
// examples write maxAge: "24h"; protojson alone refuses it.
func goDurations(js []byte, md protoreflect.MessageDescriptor) ([]byte, error) {
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return nil, err
	}
	v = rewriteDurations(v, md)
	return json.Marshal(v)
}

func rewriteDurations(v any, md protoreflect.MessageDescriptor) any {
	if md.FullName() == "google.protobuf.Duration" {
		if s, ok := v.(string); ok {
			if d, err := time.ParseDuration(s); err == nil {
				return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
			}
		}
		return v
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return v
	}
	fields := md.Fields()
	for k, val := range obj {
		fd := fields.ByJSONName(k)
		if fd == nil {
			fd = fields.ByName(protoreflect.Name(k))
		}
		if fd == nil {
			continue
		}
		switch {
		case fd.IsMap():
			if fd.MapValue().Kind() != protoreflect.MessageKind {
				continue
			}
			if m, ok := val.(map[string]any); ok {
				for mk, mv := range m {
					m[mk] = rewriteDurations(mv, fd.MapValue().Message())
				}
			}
		case fd.Kind() != protoreflect.MessageKind:
		case fd.IsList():
			if l, ok := val.([]any); ok {
				for i, e := range l {
					l[i] = rewriteDurations(e, fd.Message())
				}
			}
		default:
			obj[k] = rewriteDurations(val, fd.Message())
		}
	}
	return obj
}

// jsonOf marshals a decoded document back to JSON.
func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
