#include "plugins/tcp/resolver.h"

#include <dlfcn.h>
#include <netdb.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "plugins/tcp/errno_text.h"

namespace strata::tcp {
namespace {

std::atomic<int> in_flight{0};

// PinThisModule keeps the shared object that holds this code loaded for
// good. A detached worker may still be inside getaddrinfo when the host
// unloads the plugin; without the pin it would return into unmapped code.
// dlopen with RTLD_NOLOAD | RTLD_NODELETE only marks the already loaded
// object; when the code is linked into an executable it changes nothing.
void PinThisModule() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&PinThisModule), &info) == 0 ||
        info.dli_fname == nullptr) {
      return;
    }
    // The handle is deliberately never closed: that is the pin.
    dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
  });
}

}  // namespace

struct AsyncResolver::State {
  ~State() {
    if (event_fd >= 0) close(event_fd);
  }
  int event_fd = -1;
  std::atomic<bool> done{false};
  std::mutex mutex;
  absl::StatusOr<std::vector<SocketAddress>> result;  // guarded by mutex
};

absl::StatusOr<std::vector<SocketAddress>> BlockingResolve(const std::string& host,
                                                           uint16_t port, int family) {
  // RFC 6761 §6.3: "localhost" and names under it are the loopback
  // addresses, whatever DNS or /etc/hosts say (curl does the same), IPv4
  // first as curl 7.88 lists them: its first connection attempt, and the
  // address a socks5:// proxy is sent, is 127.0.0.1.
  if (absl::EqualsIgnoreCase(host, "localhost") || absl::EndsWithIgnoreCase(host, ".localhost")) {
    std::vector<SocketAddress> out;
    if (family != AF_INET6) out.push_back(*SocketAddress::FromIpLiteral("127.0.0.1", port));
    if (family != AF_INET) out.push_back(*SocketAddress::FromIpLiteral("::1", port));
    return out;
  }
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // No AI_ADDRCONFIG: it hides loopback addresses on hosts whose only
  // interface is loopback, which is exactly where local tests run.
  hints.ai_flags = AI_NUMERICSERV;
  std::string service = std::to_string(port);
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    std::string why = rc == EAI_SYSTEM ? ErrnoText(errno) : gai_strerror(rc);
    return absl::NotFoundError(why);
  }
  std::vector<SocketAddress> out;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    std::optional<SocketAddress> address = SocketAddress::FromSockaddr(ai->ai_addr, ai->ai_addrlen);
    // getaddrinfo may list the same address more than once (e.g. once per
    // /etc/hosts line); one attempt per address is enough.
    if (address && std::find(out.begin(), out.end(), *address) == out.end()) {
      out.push_back(*address);
    }
  }
  freeaddrinfo(list);
  if (out.empty()) return absl::NotFoundError("no IPv4 or IPv6 address");
  return out;
}

absl::StatusOr<std::unique_ptr<AsyncResolver>> AsyncResolver::Start(
    std::string host, uint16_t port, int family, ResolveFunction resolve) {
  auto state = std::make_shared<State>();
  state->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (state->event_fd < 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot create eventfd: ", ErrnoText(errno)));
  }
  PinThisModule();
  in_flight.fetch_add(1);
  try {
    std::thread([state, host = std::move(host), port, family,
                 resolve = std::move(resolve)]() mutable {
      absl::StatusOr<std::vector<SocketAddress>> result = resolve(host, port, family);
      {
        std::lock_guard<std::mutex> lock(state->mutex);
        state->result = std::move(result);
      }
      state->done.store(true, std::memory_order_release);
      uint64_t one = 1;
      // The eventfd is ours until the last reference goes, so this never
      // writes to a descriptor someone else has reused.
      ssize_t ignored = write(state->event_fd, &one, sizeof(one));
      (void)ignored;
      state.reset();  // may close the eventfd when the resolver is gone
      in_flight.fetch_sub(1);
    }).detach();
  } catch (const std::system_error& e) {
    in_flight.fetch_sub(1);
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot start resolver thread: ", e.what()));
  }
  return std::unique_ptr<AsyncResolver>(new AsyncResolver(std::move(state)));
}

AsyncResolver::AsyncResolver(std::shared_ptr<State> state) : state_(std::move(state)) {}

AsyncResolver::~AsyncResolver() = default;

int AsyncResolver::event_fd() const { return state_->event_fd; }

bool AsyncResolver::Done() const { return state_->done.load(std::memory_order_acquire); }

absl::StatusOr<std::vector<SocketAddress>> AsyncResolver::TakeResult() {
  if (!Done()) return absl::FailedPreconditionError("resolution still running");
  std::lock_guard<std::mutex> lock(state_->mutex);
  return std::move(state_->result);
}

int AsyncResolver::InFlight() { return in_flight.load(); }

}  // namespace strata::tcp
