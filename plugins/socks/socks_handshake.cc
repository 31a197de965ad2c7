#include "plugins/socks/socks_handshake.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace strata::socks {
namespace {

constexpr uint8_t kSocks4Granted = 90;

uint8_t At(const std::string& s, size_t i) { return static_cast<uint8_t>(s[i]); }

// VersionHint guesses what answered when the version byte is wrong.
std::string VersionHint(uint8_t byte) {
  if (byte == 'H') return " (that looks like an HTTP reply: is this an HTTP proxy?)";
  if (byte == 0x00 || byte == 0x04) return " (a SOCKS4 reply: is this a SOCKS4-only proxy?)";
  return "";
}

}  // namespace

SocksHandshake::SocksHandshake(HandshakeSettings settings)
    : settings_(std::move(settings)),
      stage_(settings_.version == SocksVersion::k5 ? Stage::kMethod : Stage::kReply4) {}

const char* SocksHandshake::Name() const {
  return settings_.version == SocksVersion::k5 ? "SOCKS5 proxy" : "SOCKS4a proxy";
}

std::string SocksHandshake::Begin() {
  if (settings_.version == SocksVersion::k4a) return ConnectMessage();
  return Socks5Greeting(settings_.credentials.has_value());
}

std::string SocksHandshake::ConnectMessage() {
  if (settings_.version == SocksVersion::k4a) {
    std::string user = settings_.credentials ? settings_.credentials->username : "";
    return Socks4aConnectRequest(settings_.destination, settings_.port, user);
  }
  return Socks5ConnectRequest(settings_.destination, settings_.port);
}

absl::StatusOr<std::string> SocksHandshake::Feed(std::string_view bytes) {
  switch (stage_) {
    case Stage::kOpen:
    case Stage::kFailed:
      return absl::FailedPreconditionError("the SOCKS handshake is over");
    default:
      break;
  }
  in_.append(bytes.data(), bytes.size());
  switch (stage_) {
    case Stage::kMethod:
      return ParseMethod();
    case Stage::kAuth:
      return ParseAuth();
    case Stage::kReply5:
      return ParseReply5();
    case Stage::kReply4:
      return ParseReply4();
    default:
      break;
  }
  return std::string();
}

absl::Status SocksHandshake::Failed(absl::Status status) {
  stage_ = Stage::kFailed;
  in_.clear();
  return status;
}

absl::Status SocksHandshake::NothingMore(size_t used, const char* after) {
  if (in_.size() == used) {
    in_.clear();
    return absl::OkStatus();
  }
  return Failed(absl::InvalidArgumentError(
      absl::StrCat(Name(), " sent ", in_.size() - used, " unexpected bytes after ", after,
                   ", before the client's next request")));
}

absl::StatusOr<std::string> SocksHandshake::ParseMethod() {
  if (in_.size() < 2) return std::string();
  uint8_t version = At(in_, 0);
  uint8_t method = At(in_, 1);
  if (version != 0x05) {
    return Failed(absl::InvalidArgumentError(
        absl::StrCat("SOCKS5 proxy answered the greeting with version ", Hex(version),
                     ", not 0x05", VersionHint(version))));
  }
  bool offered_password = settings_.credentials.has_value();
  std::string offered =
      offered_password ? "no authentication, username/password" : "no authentication";
  if (method == kMethodNoAcceptable) {
    return Failed(absl::PermissionDeniedError(absl::StrCat(
        "SOCKS5 proxy accepts none of the offered authentication methods (offered: ", offered,
        ")",
        offered_password ? ""
                         : "; it probably requires a user name and password "
                           "(options username/password, or the proxy URL's credentials)")));
  }
  if (method != kMethodNone && !(method == kMethodUsernamePassword && offered_password)) {
    return Failed(absl::InvalidArgumentError(
        absl::StrCat("SOCKS5 proxy chose authentication method ", Hex(method), " (",
                     MethodName(method), "), which the client did not offer (offered: ", offered,
                     ")")));
  }
  if (absl::Status s = NothingMore(2, "its method selection"); !s.ok()) return s;
  if (method == kMethodUsernamePassword) {
    stage_ = Stage::kAuth;
    sent_credentials_ = true;
    return Socks5AuthRequest(settings_.credentials->username, settings_.credentials->password);
  }
  stage_ = Stage::kReply5;
  return ConnectMessage();
}

absl::StatusOr<std::string> SocksHandshake::ParseAuth() {
  if (in_.size() < 2) return std::string();
  uint8_t version = At(in_, 0);
  uint8_t status = At(in_, 1);
  if (version != 0x01) {
    return Failed(absl::InvalidArgumentError(
        absl::StrCat("SOCKS5 proxy answered the username/password request with version ",
                     Hex(version), ", not 0x01 (RFC 1929)")));
  }
  if (status != 0x00) {
    return Failed(absl::PermissionDeniedError(
        absl::StrCat("SOCKS5 proxy rejected the user name and password (RFC 1929 status ",
                     Hex(status), "); check the proxy credentials")));
  }
  if (absl::Status s = NothingMore(2, "its authentication status"); !s.ok()) return s;
  stage_ = Stage::kReply5;
  return ConnectMessage();
}

absl::StatusOr<std::string> SocksHandshake::ParseReply5() {
  if (in_.size() < 2) return std::string();
  uint8_t version = At(in_, 0);
  uint8_t code = At(in_, 1);
  if (version != 0x05) {
    return Failed(absl::InvalidArgumentError(
        absl::StrCat("SOCKS5 proxy answered CONNECT ", settings_.origin, " with version ",
                     Hex(version), ", not 0x05", VersionHint(version))));
  }
  if (code != 0x00) {
    return Failed(absl::UnavailableError(
        absl::StrCat("SOCKS5 proxy could not connect to ", settings_.origin, ": ",
                     Socks5ReplyText(code), " (reply code ", static_cast<int>(code), ")")));
  }
  // VER REP RSV ATYP, then the BND address and port. RSV is not checked:
  // a receiver ignores reserved bits.
  if (in_.size() < 5) return std::string();
  uint8_t type = At(in_, 3);
  size_t address_bytes = 0;
  size_t address_at = 4;
  switch (type) {
    case kAtypIpv4:
      address_bytes = 4;
      break;
    case kAtypIpv6:
      address_bytes = 16;
      break;
    case kAtypDomain:
      address_bytes = At(in_, 4);
      address_at = 5;
      if (address_bytes == 0) {
        return Failed(absl::InvalidArgumentError(absl::StrCat(
            "SOCKS5 proxy's reply to CONNECT ", settings_.origin,
            " gives a bound address (BND.ADDR) that is a domain name of length 0")));
      }
      break;
    default:
      return Failed(absl::InvalidArgumentError(
          absl::StrCat("SOCKS5 proxy's reply to CONNECT ", settings_.origin,
                       " has an unknown address type ", Hex(type),
                       " (RFC 1928 knows 0x01 IPv4, 0x03 domain name, 0x04 IPv6)")));
  }
  size_t total = address_at + address_bytes + 2;
  if (in_.size() < total) return std::string();
  SocksAddress bound;
  bound.type = static_cast<AddressType>(type);
  if (type == kAtypDomain) {
    bound.domain = Printable(std::string_view(in_).substr(address_at, address_bytes), 255);
  } else {
    in_.copy(reinterpret_cast<char*>(bound.ip.data()), address_bytes, address_at);
  }
  uint16_t port = static_cast<uint16_t>((At(in_, total - 2) << 8) | At(in_, total - 1));
  bound_ = Authority(bound.Text(), port);
  leftover_ = in_.substr(total);
  in_.clear();
  stage_ = Stage::kOpen;
  return std::string();
}

absl::StatusOr<std::string> SocksHandshake::ParseReply4() {
  if (in_.size() < 2) return std::string();
  uint8_t version = At(in_, 0);
  uint8_t code = At(in_, 1);
  if (version != 0x00) {
    return Failed(absl::InvalidArgumentError(
        absl::StrCat("SOCKS4a proxy's reply to CONNECT ", settings_.origin, " starts with ",
                     Hex(version), ", not 0x00",
                     version == 0x05 ? " (a SOCKS5 reply: use version 5)" : VersionHint(version))));
  }
  if (code != kSocks4Granted) {
    return Failed(absl::UnavailableError(
        absl::StrCat("SOCKS4a proxy could not connect to ", settings_.origin, ": ",
                     Socks4ReplyText(code), " (reply code ", static_cast<int>(code), ")")));
  }
  if (in_.size() < 8) return std::string();
  leftover_ = in_.substr(8);
  in_.clear();
  stage_ = Stage::kOpen;
  return std::string();
}

absl::Status SocksHandshake::OnEof() const {
  if (stage_ == Stage::kOpen) return absl::OkStatus();
  if (in_.empty()) {
    return absl::UnavailableError(
        absl::StrCat(Name(), " closed the connection without sending ", Waiting()));
  }
  return absl::UnavailableError(absl::StrCat(Name(), " closed the connection in the middle of ",
                                             Waiting(), " (after ", in_.size(), " bytes)"));
}

std::string SocksHandshake::Waiting() const {
  switch (stage_) {
    case Stage::kMethod:
      return "its reply to the greeting";
    case Stage::kAuth:
      return "its reply to the username/password request";
    case Stage::kReply5:
    case Stage::kReply4:
      return absl::StrCat("its reply to CONNECT ", settings_.origin);
    case Stage::kOpen:
      return "nothing";
    case Stage::kFailed:
      break;
  }
  return "a valid reply";
}

std::string SocksHandshake::TakeLeftover() {
  std::string out;
  out.swap(leftover_);
  return out;
}

}  // namespace strata::socks
