//go:build !amd64 || purego

package ag

import "math"

// sigmoid32 sets y = sigmoid(x) element-wise.
func sigmoid32(y, x []float32) {
	for i, v := range x {
		y[i] = sigmoid(v)
	}
}

func kernelInUse() bool { return false }

func expKernelInUse() bool { return false }

// exp64 sets y = math.Exp(x) element-wise.
func exp64(y, x []float64) {
	for i, v := range x {
		y[i] = math.Exp(v)
	}
}
