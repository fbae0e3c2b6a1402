// fast-cpp-csv-parser (Debian: libfccp-dev), the one CSV library of the project, for whoever includes it.
#pragma once

// At -O2 GCC inlines the library's bounded strncpy of file names and warns that it may truncate, which it does by
// design; the warning is about the library, not the code that includes it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop
