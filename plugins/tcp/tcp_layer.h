// tcp_layer.h — the `tcp` byte-stream layer: the bottom of every chain. It
// resolves the target (without blocking the event loop), races connection
// attempts per RFC 8305 and then moves bytes over the winning socket.
//
// Phases, each with its own watched descriptors and poll interest:
//   resolving   the resolver's eventfd          STRATA_POLL_READ
//   connecting  the attempt sockets             STRATA_POLL_WRITE
//   connected   the one connected socket        whatever the caller wants
// OWNERSHIP: the layer owns every descriptor it watches and unwatches each
// before closing it. It never calls lower_* (there is nothing below).
#ifndef STRATA_PLUGINS_TCP_TCP_LAYER_H_
#define STRATA_PLUGINS_TCP_TCP_LAYER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugins/tcp/happy_eyeballs.h"
#include "plugins/tcp/resolver.h"
#include "plugins/tcp/socket_address.h"
#include "plugins/tcp/tcp_options.h"
#include "strata/sdk.hpp"

namespace strata::tcp {

class TcpLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options; throws sdk::Error(STRATA_E_CONFIG) on a
  // bad one, which the SDK turns into create()'s status. No I/O.
  TcpLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~TcpLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override { return false; }
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;
  strata_status Control(uint32_t control, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

 private:
  enum class Phase { kIdle, kResolving, kConnecting, kConnected, kFailed };
  enum class AddressSource { kLiteral, kOverride, kDns };

  // Begin picks the addresses (literal, override) or starts the resolver.
  strata_status Begin();
  strata_status FinishResolving();
  strata_status StartRace(std::vector<SocketAddress> addresses, AddressSource source);
  strata_status StepRace(int* done);
  strata_status CheckTimeout();
  // FailSetup releases everything of the setup phases and makes every later
  // Connect() repeat |status| and |message|.
  strata_status FailSetup(strata_status status, std::string message);
  void StopResolver();
  void ScheduleWakeUp();
  // Target is "host:port" with IPv6 literals in brackets.
  std::string Target() const;

  std::string host_;
  uint16_t port_;
  TcpOptions options_;
  Phase phase_ = Phase::kIdle;
  uint64_t started_ms_ = 0;
  uint64_t deadline_ms_ = 0;  // 0: no connect timeout
  // The name lookup's start and length (STRATA_QUERY_NAMELOOKUP_US), on
  // the steady clock in microseconds: the host's clock is milliseconds.
  int64_t lookup_started_us_ = 0;
  int64_t lookup_us_ = 0;
  std::unique_ptr<AsyncResolver> resolver_;
  std::unique_ptr<ConnectionRace> race_;
  int fd_ = -1;  // the connected socket, watched while set
  std::optional<SocketAddress> peer_;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
};

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_TCP_LAYER_H_
