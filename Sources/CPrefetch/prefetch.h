// A hint that a cache line will be read soon (x86 PREFETCHT0, ARM PRFM PLDL1KEEP), which Swift
// has no spelling for. A hint never faults, so it may name an address past an allocation.
// static inline: Swift's compiler inlines it into the kernels.
static inline void gradcam_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
