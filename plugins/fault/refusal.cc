#include "plugins/fault/refusal.h"

#include <cerrno>

namespace strata::fault {

const std::vector<Refusal>& Refusals() {
  static const std::vector<Refusal> table = {
      {"ECONNREFUSED", ECONNREFUSED, STRATA_E_CONNECT}, {"EHOSTUNREACH", EHOSTUNREACH, STRATA_E_CONNECT},
      {"ENETUNREACH", ENETUNREACH, STRATA_E_CONNECT},   {"ECONNRESET", ECONNRESET, STRATA_E_CONNECT},
      {"ECONNABORTED", ECONNABORTED, STRATA_E_CONNECT}, {"EACCES", EACCES, STRATA_E_CONNECT},
      {"EPERM", EPERM, STRATA_E_CONNECT},               {"EADDRNOTAVAIL", EADDRNOTAVAIL, STRATA_E_CONNECT},
      {"ENETDOWN", ENETDOWN, STRATA_E_CONNECT},         {"EHOSTDOWN", EHOSTDOWN, STRATA_E_CONNECT},
      {"ETIMEDOUT", ETIMEDOUT, STRATA_E_TIMEOUT},
  };
  return table;
}

const Refusal* FindRefusal(const std::string& name) {
  for (const Refusal& r : Refusals()) {
    if (name == r.name) return &r;
  }
  return nullptr;
}

}  // namespace strata::fault
