package abi

import (
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

func TestStatusErr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status Status
		want   error
	}{
		{StatusOK, nil},
		{StatusNotFound, types.ErrorStatusNotFound},
		{StatusBadArgument, types.ErrorStatusBadArgument},
		{StatusEmpty, types.ErrorStatusEmpty},
		{StatusCasMismatch, types.ErrorStatusCasMismatch},
		{StatusInternalFailure, types.ErrorInternalFailure},
		{StatusUnimplemented, types.ErrorUnimplemented},
	}
	for _, tt := range tests {
		if got := tt.status.Err(); got != tt.want {
			t.Errorf("Status(%d).Err() = %v, want %v", tt.status, got, tt.want)
		}
	}
	if ErrNotFound != types.ErrorStatusNotFound || ErrInternalFailure != types.ErrorInternalFailure {
		t.Error("the package's sentinel errors are not the SDK's values")
	}
}

func TestStatusErrUnknownCode(t *testing.T) {
	t.Parallel()
	err := Status(3).Err()
	if err == nil {
		t.Fatal("Status(3).Err() = nil, want an error")
	}
	for _, known := range []error{ErrNotFound, ErrBadArgument, ErrEmpty, ErrCasMismatch, ErrInternalFailure, ErrUnimplemented} {
		if errors.Is(err, known) {
			t.Errorf("Status(3).Err() is %v", known)
		}
	}
	if !strings.Contains(err.Error(), "3") {
		t.Errorf("error %q does not name the code", err)
	}
}
