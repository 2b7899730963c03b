// Hands the heap's free pages back to the system (glibc's malloc_trim, which Swift's Glibc
// module does not export; elsewhere nothing to do).
//
// Why: compiling a model converts each kernel to floats and packs it into panels, then frees
// the converted copy. glibc keeps such freed blocks in the middle of its heap, where they stay
// resident: ResNet-50 with two workers (`bench`) peaked at 168-169 MB, against 158 before the
// kernels were packed, and at 159-160 MB once the compiler's leftovers were released this way.
#include <stdlib.h>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
static inline void gradcam_release_free_heap(void) { malloc_trim(0); }
#else
static inline void gradcam_release_free_heap(void) {}
#endif
