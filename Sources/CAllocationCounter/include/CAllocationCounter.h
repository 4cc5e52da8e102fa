#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H
#include <stdint.h>

/// Number of malloc/calloc/realloc/posix_memalign/aligned_alloc calls made by this process since
/// start, counted only while counting is enabled. Linked into the benchmark executable only: its
/// malloc family replaces glibc's for the whole process and forwards to __libc_malloc & co.
uint64_t shortwave_allocation_count(void);
void shortwave_allocation_counting(int enabled);

#endif
