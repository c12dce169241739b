//go:build !amd64 || purego

package ag

// sigmoid32 sets y = sigmoid(x) element-wise.
func sigmoid32(y, x []float32) {
	for i, v := range x {
		y[i] = sigmoid(v)
	}
}

func kernelInUse() bool { return false }
