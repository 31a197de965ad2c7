#include "plugins/tcp/errno_text.h"

#include <cstring>

namespace strata::tcp {

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (text.size() > 1 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

}  // namespace strata::tcp
