#include "gemm_kernels.h"
int gradscope_gemm_placeholder(void) { return 0; }
