#include <stddef.h>
#include <png.h>
#include <zlib.h>
