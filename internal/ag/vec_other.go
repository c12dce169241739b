//go:build !amd64 || purego

package ag

func vec32Binary(op BinaryOp, c, a, b []float32) int          { return 0 }
func vec32BinaryS(op BinaryOp, c, a []float32, s float32) int { return 0 }
func vec32Acc(c, x []float32, sub bool) int                   { return 0 }
func vec32AccMul(c, x, y []float32) int                       { return 0 }
func vec32AccMulS(c, x []float32, s float32) int              { return 0 }
