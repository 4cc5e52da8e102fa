int allocation_counter_placeholder(void);
