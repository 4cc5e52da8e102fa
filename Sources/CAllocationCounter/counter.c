#include "CAllocationCounter.h"
int allocation_counter_placeholder(void) { return 0; }
