// unix_layer.h — the `unix` byte-stream layer: the bottom of a chain that
// reaches its server over a Unix domain stream socket instead of TCP
// (curl's --unix-socket and --abstract-unix-socket). The layers above (TLS,
// h1, h2) are unchanged: the hop's host and port still name the origin for
// them, and this layer ignores both.
//
// Phases and what is watched:
//   connecting  the socket, STRATA_POLL_WRITE (or, while the server's accept
//               queue is full, nothing: a timer retries the connect)
//   connected   the socket, whatever the caller wants
// OWNERSHIP: the layer owns its socket and unwatches it before closing it.
// It never calls lower_* (there is nothing below).
#ifndef STRATA_PLUGINS_UNIX_UNIX_LAYER_H_
#define STRATA_PLUGINS_UNIX_UNIX_LAYER_H_

#include <cstdint>
#include <string>

#include "plugins/unix/unix_options.h"
#include "strata/sdk.hpp"

namespace strata::unix_socket {

class UnixLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options; throws sdk::Error(STRATA_E_CONFIG) on a
  // bad one. No I/O.
  UnixLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~UnixLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override { return false; }
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;
  strata_status Control(uint32_t control, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

 private:
  enum class Phase { kIdle, kConnecting, kBacklogFull, kConnected, kFailed };

  // StartConnect opens the socket and starts connect(); it may finish at once.
  strata_status StartConnect(int* done);
  strata_status FinishConnect(int* done);
  strata_status Connected(int* done);
  strata_status CheckTimeout();
  strata_status FailSetup(strata_status status, std::string message);
  void CloseSocket();

  UnixOptions options_;
  Phase phase_ = Phase::kIdle;
  uint64_t deadline_ms_ = 0;  // 0: no connect timeout
  int fd_ = -1;
  bool watched_ = false;      // fd_ is on the host's watch list
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
};

}  // namespace strata::unix_socket

#endif  // STRATA_PLUGINS_UNIX_UNIX_LAYER_H_
