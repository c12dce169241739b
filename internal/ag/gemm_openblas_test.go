//go:build openblas

package ag

// gemmKernels is OpenBLAS alone: it picks its kernel itself (OPENBLAS_CORETYPE).
func gemmKernels() []gemmKernel {
	return []gemmKernel{{"openblas", func() func() { return func() {} }}}
}
