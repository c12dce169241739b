//go:build !openblas && (!amd64 || purego)

package ag

// No packed kernel on this platform (or with -tags purego): every product goes to gonum.
const useFastKernel = false

func fastKernelFits(gemmTask) bool { return false }

func gemmPacked(gemmTask, *gemmScratch) { panic("ag: no packed GEMM kernel on this platform") }
