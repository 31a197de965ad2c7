// socks_handshake.h — the client side of a SOCKS handshake as a protocol
// engine with no I/O: messages out, the proxy's bytes in.
//
//   SOCKS5 (RFC 1928, RFC 1929)           SOCKS4a
//   greeting      → method selection      CONNECT → 8-byte reply
//   [auth request → auth status]
//   CONNECT       → reply (BND address)
//
// Feed() takes the proxy's bytes in pieces of any size (one byte at a time
// works) and answers the next message to send. Each reply is parsed only
// once it is complete, its length known from its own fields (a domain BND
// says how long it is), so the engine never takes a byte beyond the final
// reply: those are the tunnel's first bytes (RFC 1928 §6: after a success
// reply the connection carries the client's traffic) and leftover() hands
// them to the layer above. Bytes after an earlier reply arrived before the
// client's next request, which no proxy can answer yet: an error.
//
// Errors (absl::Status codes):
//   InvalidArgument  the proxy broke the protocol: wrong version byte, a
//                    method the client did not offer, an unknown address
//                    type, a BND domain of length 0, bytes ahead of time
//   Unavailable      the proxy refused: a SOCKS5 REP or SOCKS4 CD other
//                    than success (named, with the origin)
//   PermissionDenied the credentials were rejected, or no offered method is
//                    acceptable
// After an error the engine stays failed.
#ifndef STRATA_PLUGINS_SOCKS_SOCKS_HANDSHAKE_H_
#define STRATA_PLUGINS_SOCKS_SOCKS_HANDSHAKE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/socks/socks_options.h"
#include "plugins/socks/socks_wire.h"

namespace strata::socks {

struct HandshakeSettings {
  SocksVersion version = SocksVersion::k5;
  SocksAddress destination;  // what goes into the CONNECT request
  uint16_t port = 0;
  // The origin as the user named it ("example.com:443"), for messages.
  std::string origin;
  std::optional<Credentials> credentials;
};

class SocksHandshake {
 public:
  // The destination must fit the version (no IPv6 for SOCKS4a); the layer
  // checks that before it builds the settings.
  explicit SocksHandshake(HandshakeSettings settings);

  // Begin returns the first message: the SOCKS5 greeting or the SOCKS4a
  // CONNECT request.
  std::string Begin();

  // Feed takes the next bytes from the proxy and returns the message to
  // send next ("" when there is none: wait for more, or open()).
  absl::StatusOr<std::string> Feed(std::string_view bytes);

  // OnEof is the error for the proxy closing the connection now (it always
  // is one before open()).
  absl::Status OnEof() const;

  bool open() const { return stage_ == Stage::kOpen; }
  // TakeLeftover returns (once) the bytes that followed the final reply.
  std::string TakeLeftover();
  // Bound is the proxy's BND address:port of a SOCKS5 success ("" before).
  const std::string& bound() const { return bound_; }
  // sent_credentials: the RFC 1929 request went out.
  bool sent_credentials() const { return sent_credentials_; }
  // Waiting says which reply is awaited, for messages: "its reply to the
  // greeting", ...
  std::string Waiting() const;

 private:
  enum class Stage { kMethod, kAuth, kReply5, kReply4, kOpen, kFailed };

  absl::StatusOr<std::string> ParseMethod();
  absl::StatusOr<std::string> ParseAuth();
  absl::StatusOr<std::string> ParseReply5();
  absl::StatusOr<std::string> ParseReply4();
  // NothingMore fails when bytes follow a reply the client has not yet
  // answered with its next request.
  absl::Status NothingMore(size_t used, const char* after);
  absl::Status Failed(absl::Status status);
  std::string ConnectMessage();
  const char* Name() const;  // "SOCKS5 proxy" / "SOCKS4a proxy"

  HandshakeSettings settings_;
  Stage stage_;
  std::string in_;  // bytes of the reply being assembled
  std::string leftover_;
  std::string bound_;
  bool sent_credentials_ = false;
};

}  // namespace strata::socks

#endif  // STRATA_PLUGINS_SOCKS_SOCKS_HANDSHAKE_H_
