from jax import jit


@jit
def not_a_gpu_kernel_decorator(x):  # optimus-expect: high-complexity
    if x > 1:
        return 1
    if x > 2:
        return 2
    if x > 3:
        return 3
    return 0
