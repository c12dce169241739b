package ag

// Element-wise loops of the CPU backend. Each computes, element by element, exactly what its loop
// says, in float32 with the 8-lane kernels of vec_amd64.s where they run (on the longest multiple of
// 8 elements; the same operations in the same order, so the same bits) and in Go otherwise.

// vecBinary sets c = a op b element-wise.
func vecBinary[T float](op BinaryOp, c, a, b []T) {
	n := 0
	if c32, ok := any(c).([]float32); ok {
		n = vec32Binary(op, c32, any(a).([]float32), any(b).([]float32))
	}
	c, a, b = c[n:], a[n:len(a)], b[n:len(b)]
	a, b = a[:len(c)], b[:len(c)]
	switch op {
	case OpAdd:
		for j := range c {
			c[j] = a[j] + b[j]
		}
	case OpSub:
		for j := range c {
			c[j] = a[j] - b[j]
		}
	case OpMul:
		for j := range c {
			c[j] = a[j] * b[j]
		}
	case OpDiv:
		for j := range c {
			c[j] = a[j] / b[j]
		}
	}
}

// vecBinaryS sets c = a op s element-wise.
func vecBinaryS[T float](op BinaryOp, c, a []T, s T) {
	n := 0
	if c32, ok := any(c).([]float32); ok {
		n = vec32BinaryS(op, c32, any(a).([]float32), any(s).(float32))
	}
	c, a = c[n:], a[n:len(a)]
	a = a[:len(c)]
	switch op {
	case OpAdd:
		for j := range c {
			c[j] = a[j] + s
		}
	case OpSub:
		for j := range c {
			c[j] = a[j] - s
		}
	case OpMul:
		for j := range c {
			c[j] = a[j] * s
		}
	case OpDiv:
		for j := range c {
			c[j] = a[j] / s
		}
	}
}

// vecAcc adds x into c (subtracts when sub).
func vecAcc[T float](c, x []T, sub bool) {
	n := 0
	if c32, ok := any(c).([]float32); ok {
		n = vec32Acc(c32, any(x).([]float32), sub)
	}
	c, x = c[n:], x[n:len(x)]
	x = x[:len(c)]
	if sub {
		for j, v := range x {
			c[j] -= v
		}
		return
	}
	for j, v := range x {
		c[j] += v
	}
}

// vecAccMul adds x⊙y into c (each product rounded, then added).
func vecAccMul[T float](c, x, y []T) {
	n := 0
	if c32, ok := any(c).([]float32); ok {
		n = vec32AccMul(c32, any(x).([]float32), any(y).([]float32))
	}
	c, x, y = c[n:], x[n:len(x)], y[n:len(y)]
	x, y = x[:len(c)], y[:len(c)]
	for j, v := range x {
		c[j] += v * y[j]
	}
}

// vecAccMulS adds x·s into c.
func vecAccMulS[T float](c, x []T, s T) {
	n := 0
	if c32, ok := any(c).([]float32); ok {
		n = vec32AccMulS(c32, any(x).([]float32), any(s).(float32))
	}
	c, x = c[n:], x[n:len(x)]
	x = x[:len(c)]
	for j, v := range x {
		c[j] += v * s
	}
}
