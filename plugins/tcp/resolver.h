// resolver.h — non-blocking name resolution: getaddrinfo on a worker thread,
// completion signalled through an eventfd the caller can poll.
//
// OWNERSHIP: the eventfd and the result live in state shared by the
// AsyncResolver and its worker thread; whichever lets go last frees them.
// So destroying an AsyncResolver never waits for getaddrinfo: the caller
// must stop polling (unwatch) the eventfd first, and the worker closes it
// when it finishes. Because a worker can outlive every layer, the first
// Start() pins the plugin's shared object so it is never unmapped under a
// running worker (see resolver.cc).
#ifndef STRATA_PLUGINS_TCP_RESOLVER_H_
#define STRATA_PLUGINS_TCP_RESOLVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/tcp/socket_address.h"

namespace strata::tcp {

// ResolveFunction does the blocking lookup; it runs on the worker thread.
// |family| is AF_UNSPEC, AF_INET or AF_INET6. NotFound carries the
// gai_strerror text. Replaceable for tests.
using ResolveFunction = std::function<absl::StatusOr<std::vector<SocketAddress>>(
    const std::string& host, uint16_t port, int family)>;

// BlockingResolve is the default ResolveFunction: getaddrinfo, stream sockets,
// addresses in the order the system returned them (RFC 6724 sorted).
absl::StatusOr<std::vector<SocketAddress>> BlockingResolve(const std::string& host,
                                                           uint16_t port, int family);

class AsyncResolver {
 public:
  // Start begins resolving |host| on a new thread. Fails only when the
  // eventfd or thread cannot be created.
  static absl::StatusOr<std::unique_ptr<AsyncResolver>> Start(
      std::string host, uint16_t port, int family,
      ResolveFunction resolve = BlockingResolve);

  // Does not wait for the worker; see OWNERSHIP above.
  ~AsyncResolver();
  AsyncResolver(const AsyncResolver&) = delete;
  AsyncResolver& operator=(const AsyncResolver&) = delete;

  // event_fd becomes readable once the result is ready. Borrowed: valid while
  // this object lives; never close it.
  int event_fd() const;
  // Done is true once the result is ready. Never blocks.
  bool Done() const;
  // TakeResult returns the result once Done(); FailedPrecondition before.
  absl::StatusOr<std::vector<SocketAddress>> TakeResult();

  // InFlight counts worker threads that are still running, in all
  // instances; tests use it to wait for abandoned lookups to finish.
  static int InFlight();

 private:
  struct State;
  explicit AsyncResolver(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_RESOLVER_H_
