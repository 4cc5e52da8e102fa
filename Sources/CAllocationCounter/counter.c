// Counts heap allocations for the codec benchmark (allocations per operation), and — built as a
// shared object by scripts/alloccount with SHORTWAVE_COUNT_FROM_START=1 — for `shortwave bench`
// under LD_PRELOAD (it finds shortwave_allocation_count with dlsym).
// Defining malloc & co. in the executable interposes them for every library in the process (the
// executable comes first in symbol lookup); each forwards to glibc's __libc_* entry points.
#include "CAllocationCounter.h"
#include <stddef.h>
#include <errno.h>
#include <stdatomic.h>

#if defined(__linux__) && defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static _Atomic uint64_t allocations = 0;
#ifndef SHORTWAVE_COUNT_FROM_START
#define SHORTWAVE_COUNT_FROM_START 0
#endif
static _Atomic int counting = SHORTWAVE_COUNT_FROM_START;

static inline void count(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *ptr, size_t size) { count(); return __libc_realloc(ptr, size); }
void free(void *ptr) { __libc_free(ptr); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *ptr = __libc_memalign(alignment, size);
    if (ptr == NULL) return ENOMEM;
    *out = ptr;
    return 0;
}
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }

uint64_t shortwave_allocation_count(void) { return atomic_load(&allocations); }
void shortwave_allocation_counting(int enabled) { atomic_store(&counting, enabled); }
#else
uint64_t shortwave_allocation_count(void) { return 0; }
void shortwave_allocation_counting(int enabled) { (void)enabled; }
#endif
