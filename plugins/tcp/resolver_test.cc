#include "plugins/tcp/resolver.h"

#include <netinet/in.h>
#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace strata::tcp {
namespace {

void WaitForWorkers() {
  for (int i = 0; i < 500 && AsyncResolver::InFlight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Gate blocks the fake lookup until the test opens it.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    cv.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [this] { return open; });
  }
};

TEST(AsyncResolverTest, SignalsCompletionThroughTheEventFd) {
  auto gate = std::make_shared<Gate>();
  absl::StatusOr<std::unique_ptr<AsyncResolver>> resolver = AsyncResolver::Start(
      "fake.test", 80, AF_UNSPEC,
      [gate](const std::string& host, uint16_t port, int) -> absl::StatusOr<std::vector<SocketAddress>> {
        gate->Wait();
        return std::vector<SocketAddress>{*SocketAddress::FromIpLiteral("127.0.0.1", port)};
      });
  ASSERT_TRUE(resolver.ok()) << resolver.status();
  pollfd p{(*resolver)->event_fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);
  EXPECT_FALSE((*resolver)->Done());
  EXPECT_FALSE((*resolver)->TakeResult().ok());

  gate->Open();
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_TRUE((*resolver)->Done());
  absl::StatusOr<std::vector<SocketAddress>> result = (*resolver)->TakeResult();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(JoinEndpoints(*result), "127.0.0.1:80");
  resolver->reset();
  WaitForWorkers();
  EXPECT_EQ(AsyncResolver::InFlight(), 0);
}

TEST(AsyncResolverTest, DestroyWhileRunningDoesNotWait) {
  auto gate = std::make_shared<Gate>();
  absl::StatusOr<std::unique_ptr<AsyncResolver>> resolver = AsyncResolver::Start(
      "slow.test", 80, AF_UNSPEC,
      [gate](const std::string&, uint16_t, int) -> absl::StatusOr<std::vector<SocketAddress>> {
        gate->Wait();
        return absl::NotFoundError("too late");
      });
  ASSERT_TRUE(resolver.ok());
  EXPECT_EQ(AsyncResolver::InFlight(), 1);
  auto start = std::chrono::steady_clock::now();
  resolver->reset();  // the lookup is still blocked in the gate
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(AsyncResolver::InFlight(), 1);
  gate->Open();  // the worker finishes alone and frees the shared state
  WaitForWorkers();
  EXPECT_EQ(AsyncResolver::InFlight(), 0);
}

TEST(BlockingResolveTest, ReportsGaiErrorText) {
  absl::StatusOr<std::vector<SocketAddress>> result =
      BlockingResolve("nonexistent.invalid", 80, AF_UNSPEC);
  ASSERT_FALSE(result.ok());
  EXPECT_FALSE(result.status().message().empty());
}

TEST(BlockingResolveTest, ResolvesLocalhostToLoopback) {
  absl::StatusOr<std::vector<SocketAddress>> result = BlockingResolve("localhost", 8080, AF_INET);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(JoinEndpoints(*result), "127.0.0.1:8080");
}

// RFC 6761 §6.3: localhost (and names under it) is loopback, whatever the
// system's files say, in both families.
TEST(BlockingResolveTest, LocalhostNamesAreLoopbackInEveryFamily) {
  for (const char* name : {"localhost", "LOCALHOST", "app.localhost"}) {
    absl::StatusOr<std::vector<SocketAddress>> any = BlockingResolve(name, 80, AF_UNSPEC);
    ASSERT_TRUE(any.ok()) << any.status();
    EXPECT_EQ(JoinEndpoints(*any), "127.0.0.1:80, [::1]:80") << name;
    absl::StatusOr<std::vector<SocketAddress>> v6 = BlockingResolve(name, 80, AF_INET6);
    ASSERT_TRUE(v6.ok()) << v6.status();
    EXPECT_EQ(JoinEndpoints(*v6), "[::1]:80") << name;
  }
  EXPECT_FALSE(BlockingResolve("localhost.example.invalid", 80, AF_INET6).ok());
}

}  // namespace
}  // namespace strata::tcp
