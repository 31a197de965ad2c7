// errno_text.h — strerror() worded for the middle of our error messages.
#ifndef STRATA_PLUGINS_TCP_ERRNO_TEXT_H_
#define STRATA_PLUGINS_TCP_ERRNO_TEXT_H_

#include <string>

namespace strata::tcp {

// ErrnoText is strerror(|error|) with a lower-case first letter
// ("connection refused"), leaving acronyms such as "I/O" alone.
std::string ErrnoText(int error);

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_ERRNO_TEXT_H_
