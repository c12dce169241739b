//go:build !openblas && (!amd64 || purego)

package ag

// No packed kernel on this platform (or with -tags purego): every product goes to gonum.
const useFastKernel = false

func fastKernelFits(gemmTask) bool { return false }

func gemmPacked(gemmTask, *gemmScratch) { panic("ag: no packed GEMM kernel on this platform") }

// useKernel512 is the amd64 switch between the AVX-512 and AVX2 kernels; here there is neither, and
// it stays false (the kernel tests that flip it skip).
var useKernel512 = false
