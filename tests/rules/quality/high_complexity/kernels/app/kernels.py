import functools

import numba as nb
import triton
import triton.language as tl
from numba import cuda, njit


@triton.jit
def attn_fwd(q, k, STAGE: tl.constexpr, CAUSAL: tl.constexpr, PRE_LOAD_V: tl.constexpr):
    if STAGE & 1:
        q = q + 1
    if STAGE & 2:
        k = k + 1
    if CAUSAL:
        q = q * k
    elif PRE_LOAD_V:
        k = k * q
    return q


@triton.autotune(
    configs=[triton.Config({"BLOCK": 64})],
    key=["n"],
)
@triton.jit
def tuned(x, n, BLOCK: tl.constexpr, EVEN: tl.constexpr, MASK: tl.constexpr):
    if EVEN:
        x = x + 1
    if MASK:
        x = x * 2
    if BLOCK > 32:
        x = x - 1
    return x


@njit
def numba_loop(xs):
    total = 0
    for x in xs:
        if x > 0:
            total += x
        elif x < -10:
            total -= 1
    return total


@nb.jit(nopython=True)
def numba_alias(xs):
    total = 0
    for x in xs:
        if x > 0:
            total += x
        elif x < -10:
            total -= 1
    return total


@cuda.jit
def cuda_kernel(out, xs):
    for i in range(len(xs)):
        if xs[i] > 0:
            out[i] = 1
        elif xs[i] < 0:
            out[i] = -1


@functools.cache
def plain(x):  # optimus-expect: high-complexity
    if x > 1:
        return 1
    if x > 2:
        return 2
    if x > 3:
        return 3
    return 0
