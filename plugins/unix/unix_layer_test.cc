// Drives the unix layer through its C vtable (strata_plugin_entry()), with
// the tcp plugin's fake host and real Unix domain sockets under TEST_TMPDIR.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "plugins/tcp/testing/fake_host.h"
#include "strata/plugin.h"

namespace strata::unix_socket {
namespace {

using ::strata::tcp::testing::FakeHost;

// TempPath is a short path for a socket: TEST_TMPDIR is often longer than
// the 107 bytes sun_path holds, so the sockets live in a directory of
// their own under /tmp.
// The directory and what is left in it are removed when the tests end.
struct SocketDir {
  SocketDir() {
    char pattern[] = "/tmp/strata-unix-XXXXXX";
    if (mkdtemp(pattern) != nullptr) path = pattern;
  }
  ~SocketDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};

std::string TempPath(const std::string& name) {
  static SocketDir dir;
  return (dir.path.empty() ? "/tmp" : dir.path) + "/" + name;
}

// Listener is a listening unix socket, file system or abstract.
class Listener {
 public:
  Listener(const std::string& name, bool abstract) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    socklen_t len;
    if (name.size() >= sizeof(a.sun_path) - 1) {
      ok_ = false;
      return;
    }
    if (abstract) {
      std::memcpy(a.sun_path + 1, name.data(), name.size());
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    } else {
      unlink(name.c_str());
      path_ = name;
      std::memcpy(a.sun_path, name.data(), name.size());
      len = sizeof(a);
    }
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0 && listen(fd_, 4) == 0;
  }
  ~Listener() {
    close(fd_);
    if (!path_.empty()) unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  // KeepFile leaves the socket file behind when the listener closes.
  void KeepFile() { path_.clear(); }
  int Accept() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return -1;
    return accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }

 private:
  int fd_;
  bool ok_;
  std::string path_;
};

class UnixLayerTest : public ::testing::Test {
 protected:
  UnixLayerTest() {
    descriptor_ = strata_plugin_entry();
    descriptor_->init(host_.services());
    vtable_ = descriptor_->layer_types[0]->stream;
  }
  ~UnixLayerTest() override {
    if (self_ != nullptr) vtable_->destroy(self_);
    descriptor_->deinit();
    EXPECT_TRUE(host_.violations().empty()) << host_.violations().front();
  }

  strata_status Create() {
    strata_layer_config config{};
    config.struct_size = sizeof(config);
    config.layer_name = "unix";
    config.options_json = "{}";
    config.host = "origin.example";
    config.port = 443;
    config.hop = 1;
    return vtable_->create(host_.ctx(), &config, &self_);
  }
  strata_status ConnectUntilDone() {
    for (int i = 0; i < 500; ++i) {
      int done = 0;
      strata_status st = vtable_->connect(self_, &done);
      if (st != STRATA_AGAIN) return st;
      host_.WaitForEvent(vtable_->poll_interest(self_, STRATA_POLL_READ), 20);
    }
    return STRATA_AGAIN;
  }
  std::string QueryText(uint32_t query) {
    char buf[256];
    size_t len = sizeof(buf);
    if (vtable_->query(self_, query, buf, &len) != STRATA_OK) return "<error>";
    return std::string(buf, len - 1);
  }

  FakeHost host_;
  const strata_plugin_descriptor* descriptor_;
  const strata_stream_layer_vtable* vtable_;
  void* self_ = nullptr;
};

TEST_F(UnixLayerTest, ConnectsAndMovesBytesBothWays) {
  const std::string path = TempPath("echo.sock");
  Listener listener(path, false);
  ASSERT_TRUE(listener.ok());
  host_.SetOption("path", path);
  ASSERT_EQ(Create(), STRATA_OK) << host_.error_message();
  ASSERT_EQ(ConnectUntilDone(), STRATA_OK) << host_.error_message();
  EXPECT_EQ(QueryText(STRATA_QUERY_DESCRIBE), "unix(" + path + ")");
  EXPECT_EQ(QueryText(STRATA_QUERY_PEER_ADDRESS), path);
  int server = listener.Accept();
  ASSERT_GE(server, 0);
  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>("ping"), 4, &written), STRATA_OK);
  EXPECT_EQ(written, 4u);
  char buf[16] = {};
  ASSERT_EQ(read(server, buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  ASSERT_EQ(write(server, "pong", 4), 4);
  uint8_t in[16];
  size_t got = 0;
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  ASSERT_EQ(vtable_->recv(self_, in, sizeof(in), &got), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(in), got), "pong");
  close(server);
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  ASSERT_EQ(vtable_->recv(self_, in, sizeof(in), &got), STRATA_OK);
  EXPECT_EQ(got, 0u) << "orderly end of stream";
  EXPECT_EQ(host_.watched().size(), 1u);
}

TEST_F(UnixLayerTest, AbstractSocket) {
  const std::string name = "strata-unix-test-" + std::to_string(getpid());
  Listener listener(name, true);
  ASSERT_TRUE(listener.ok());
  host_.SetOption("path", name);
  host_.SetOption("abstract", "true");
  ASSERT_EQ(Create(), STRATA_OK) << host_.error_message();
  ASSERT_EQ(ConnectUntilDone(), STRATA_OK) << host_.error_message();
  EXPECT_EQ(QueryText(STRATA_QUERY_DESCRIBE), "unix(@" + name + ")");
  EXPECT_GE(listener.Accept(), 0);
}

TEST_F(UnixLayerTest, MissingPathFailsNamingIt) {
  const std::string path = TempPath("nobody-listens-here.sock");
  host_.SetOption("path", path);
  ASSERT_EQ(Create(), STRATA_OK);
  EXPECT_EQ(ConnectUntilDone(), STRATA_E_CONNECT);
  EXPECT_EQ(host_.error_message(),
            "could not connect to unix socket " + path + ": no such file or directory");
  EXPECT_TRUE(host_.watched().empty());
  // A failed layer keeps failing the same way.
  int done = 0;
  EXPECT_EQ(vtable_->connect(self_, &done), STRATA_E_CONNECT);
}

TEST_F(UnixLayerTest, RefusedWhenNobodyListens) {
  const std::string path = TempPath("stale.sock");
  {
    Listener gone(path, false);  // bound, then closed: the file stays
    ASSERT_TRUE(gone.ok());
    gone.KeepFile();
  }
  host_.SetOption("path", path);
  ASSERT_EQ(Create(), STRATA_OK);
  EXPECT_EQ(ConnectUntilDone(), STRATA_E_CONNECT);
  EXPECT_EQ(host_.error_message(), "could not connect to unix socket " + path + ": connection refused");
}

TEST_F(UnixLayerTest, BadOptionsFailCreate) {
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(host_.error_message().find("option 'path' is required"), std::string::npos) << host_.error_message();
  host_.SetOption("path", std::string(200, 'x'));
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(host_.error_message().find("200 bytes long"), std::string::npos) << host_.error_message();
  host_.SetOption("path", "/x.sock");
  host_.SetOption("abstract", "maybe");
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(host_.error_message().find("'abstract' must be true or false"), std::string::npos);
  self_ = nullptr;
}

}  // namespace
}  // namespace strata::unix_socket
